#include "textflag.h"

// consIn's arrays, byte offsets (consIn in conspairs.go).
#define A_X 0
#define A_Y 1024
#define A_CX 2048
#define A_CY 3072
#define B_X 4096
#define B_Y 5120
#define B_DX 6144
#define B_DY 7168

#define B_LO 8192
#define B_HI 9216

// consArea's fields, byte offsets (consArea in conspairs.go).
#define AR_ROWS 0
#define AR_HULL 8
#define AR_NH 16
#define AR_GY0 24
#define AR_INV 28
#define AR_BAND 32
#define AR_GH 36
#define AR_GH1 40
#define AR_W 44
#define AR_H 48
#define AR_NEG 52

// Constants (consConstsAVX2), byte offsets: eight lanes each.
#define C_TOL2 0
#define C_COS 32
#define C_IOTA 64
#define C_ONE 96

// EDGES(x, y, m, neg, done): inArea's test of the next hull edge (at R11,
// R12 of them left) for points (x, y), as a negated comparison so that
// it agrees with Go's even on NaN: clears in m the lanes with
// NX·x + NY·y + C < neg; goes to done when no edge or no lane is left.
// Clobbers Y4, Y5.
#define EDGES(x, y, m, neg, done) \
	TESTQ R12, R12; \
	JZ done; \
	VPTEST m, m; \
	JZ done; \
	VBROADCASTSS 0(R11), Y4; \
	VMULPS Y4, x, Y4; \
	VBROADCASTSS 4(R11), Y5; \
	VMULPS Y5, y, Y5; \
	VADDPS Y5, Y4, Y4; \
	VBROADCASTSS 8(R11), Y5; \
	VADDPS Y5, Y4, Y4; \
	VCMPPS $5, neg, Y4, Y4; \
	VANDPS Y4, m, m; \
	ADDQ $12, R11; \
	DECQ R12

// IMAGE(x, y, m, w, h): inArea's image test: clears in m the lanes with
// x < 0, y < 0, x ≥ w or y ≥ h, as negated comparisons; Y15 zero;
// clobbers Y4.
#define IMAGE(x, y, m, w, h) \
	VCMPPS $5, Y15, x, Y4; \
	VANDPS Y4, m, m; \
	VCMPPS $5, Y15, y, Y4; \
	VANDPS Y4, m, m; \
	VCMPPS $9, w, x, Y4; \
	VANDPS Y4, m, m; \
	VCMPPS $9, h, y, Y4; \
	VANDPS Y4, m, m

// KEYS(unpack): packs the passing lanes' keys (Y6 the low dwords, Y0 the
// high ones, Y1 the lanes) to out, as AVX2 has no VPCOMPRESSQ: VPUNPCKLDQ
// makes the keys of lanes 0,1,4,5 (VPUNPCKHDQ 2,3,6,7), and VPERMD with
// the indices compress[mask] puts the passing ones first; their order
// does not matter (the caller sorts them). Clobbers AX, Y3, Y4, Y5.
#define KEYS(unpack) \
	unpack Y0, Y6, Y3; \
	unpack Y1, Y1, Y4; \
	VMOVMSKPD Y4, AX; \
	VPMOVZXBD (R14)(AX*8), Y5; \
	VPERMD Y3, Y5, Y3; \
	VMOVDQU Y3, (R8)(R11*8); \
	POPCNTL AX, AX; \
	ADDQ AX, R11

// func consPairsAVX2(in *consIn, nb int, ar *consArea, out *uint64, max int, consts *uint32, compress *uint64) int
//
// consPairsAVX512 on AVX2, 8 lanes at a time, the same float32
// operations: the bands of A's minutiae for B's laid-over ones in A's
// area, then the pairs in them. Branch-free in the pairs, as a few lanes
// in a hundred pass, at random; out has room for a vector past max.
TEXT ·consPairsAVX2(SB), NOSPLIT, $0-64
	MOVQ in+0(FP), BX
	MOVQ nb+8(FP), DI
	MOVQ ar+16(FP), R15
	MOVQ out+24(FP), R8
	MOVQ max+32(FP), R10
	MOVQ consts+40(FP), R9
	MOVQ compress+48(FP), R14
	MOVQ AR_ROWS(R15), R13
	VXORPS Y15, Y15, Y15             // 0
	VMOVDQU C_IOTA(R9), Y14          // lanes 0–7
	VMOVDQU C_ONE(R9), Y13           // 1 (int32)
	VBROADCASTSS AR_W(R15), Y12
	VBROADCASTSS AR_H(R15), Y11
	VBROADCASTSS AR_NEG(R15), Y10

	// The bands.
	XORQ DX, DX                      // first j of the chunk
band:
	CMPQ DX, DI
	JGE pairs
	MOVQ DI, AX
	SUBQ DX, AX
	MOVQ AX, X1
	VPBROADCASTD X1, Y1
	VPCMPGTD Y14, Y1, Y1             // the chunk's lanes below nb
	VMOVUPS B_X(BX)(DX*4), Y0
	VMOVUPS B_Y(BX)(DX*4), Y2
	MOVL AR_W(R15), AX               // w's bits: above zero as an int32 too
	CMPL AX, $0
	JLE bedges
	IMAGE(Y0, Y2, Y1, Y12, Y11)
bedges:
	MOVQ AR_HULL(R15), R11
	MOVQ AR_NH(R15), R12
bedge:
	EDGES(Y0, Y2, Y1, Y10, bbands)
	JMP bedge
bbands:
	VBROADCASTSS AR_GY0(R15), Y3
	VSUBPS Y3, Y2, Y3
	VBROADCASTSS AR_INV(R15), Y4
	VMULPS Y4, Y3, Y3                // row of y
	VBROADCASTSS AR_BAND(R15), Y4
	VSUBPS Y4, Y3, Y5                // r0
	VADDPS Y4, Y3, Y6                // r1
	VCMPPS $13, Y15, Y6, Y4          // r1 ≥ 0 (not NaN)
	VANDPS Y4, Y1, Y1
	VBROADCASTSS AR_GH(R15), Y4
	VCMPPS $1, Y4, Y5, Y4            // r0 < gh
	VANDPS Y4, Y1, Y1
	VMAXPS Y15, Y5, Y5
	VBROADCASTSS AR_GH1(R15), Y4
	VMINPS Y4, Y6, Y6
	VCVTTPS2DQ Y5, Y5                // first row
	VCVTTPS2DQ Y6, Y6
	VPADDD Y13, Y6, Y6               // row past the last
	VPXOR Y7, Y7, Y7
	VMOVDQU Y1, Y4
	VPGATHERDD Y4, (R13)(Y5*4), Y7
	VPXOR Y3, Y3, Y3
	VMOVDQU Y1, Y4
	VPGATHERDD Y4, (R13)(Y6*4), Y3
	VMOVDQU Y7, B_LO(BX)(DX*4)
	VMOVDQU Y3, B_HI(BX)(DX*4)
	ADDQ $8, DX
	JMP band

pairs:
	VMOVUPS C_TOL2(R9), Y12
	VMOVUPS C_COS(R9), Y13
	XORQ R11, R11 // pairs out
	XORQ R12, R12 // j
brow:
	CMPQ R12, DI
	JGE bdone
	MOVLQSX B_LO(BX)(R12*4), CX      // i of the chunk
	MOVLQSX B_HI(BX)(R12*4), R13
	CMPQ CX, R13
	JGE bnext
	VBROADCASTSS B_X(BX)(R12*4), Y8
	VBROADCASTSS B_Y(BX)(R12*4), Y9
	VBROADCASTSS B_DX(BX)(R12*4), Y10
	VBROADCASTSS B_DY(BX)(R12*4), Y11
	MOVQ R12, X7
	VPBROADCASTD X7, Y7              // j
achunk:
	MOVQ R13, AX                     // lanes left in the band
	SUBQ CX, AX
	MOVQ AX, X1
	VPBROADCASTD X1, Y1
	VPCMPGTD Y14, Y1, Y1
	VMOVUPS A_CX(BX)(CX*4), Y2
	VMULPS Y10, Y2, Y2               // A.CX·dx
	VMOVUPS A_CY(BX)(CX*4), Y3
	VMULPS Y11, Y3, Y3               // A.CY·dy
	VADDPS Y3, Y2, Y2
	VCMPPS $13, Y13, Y2, Y2          // ≥ cos(consAng)
	VANDPS Y2, Y1, Y1
	VMOVUPS A_X(BX)(CX*4), Y0
	VSUBPS Y8, Y0, Y0                // ex = A.X - x
	VMOVUPS A_Y(BX)(CX*4), Y2
	VSUBPS Y9, Y2, Y2                // ey = A.Y - y
	VMULPS Y0, Y0, Y0
	VMULPS Y2, Y2, Y2
	VADDPS Y2, Y0, Y0                // d²
	VCMPPS $2, Y12, Y0, Y2           // ≤ consTol²
	VANDPS Y2, Y1, Y1
	MOVQ CX, X6
	VPBROADCASTD X6, Y6
	VPADDD Y14, Y6, Y6               // i
	VPSLLD $16, Y6, Y6
	VPOR Y7, Y6, Y6                  // i<<16 | j
	KEYS(VPUNPCKLDQ)
	KEYS(VPUNPCKHDQ)
	CMPQ R11, R10
	JG bdone
	ADDQ $8, CX
	CMPQ CX, R13
	JLT achunk
bnext:
	INCQ R12
	JMP brow
bdone:
	MOVQ R11, ret+56(FP)
	VZEROUPPER
	RET

// func areaCountAVX2(xs, ys *float32, n int, hull *edgeLine, nh int, w, h, neg float32, consts *uint32) int
//
// areaCountAVX512 on AVX2, 8 points at a time, the same float32
// operations and negated comparisons (agreeing with Go's on NaN). The
// arrays are read in whole vectors.
//
// Registers: Y1 the points still in, Y2, Y3 their x, y, Y12 w, Y13 h,
// Y14 -consMargin, Y15 zero.
TEXT ·areaCountAVX2(SB), NOSPLIT, $0-72
	MOVQ xs+0(FP), SI
	MOVQ ys+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ hull+24(FP), R8
	MOVQ nh+32(FP), R9
	MOVQ consts+56(FP), R13
	VBROADCASTSS w+40(FP), Y12
	VBROADCASTSS h+44(FP), Y13
	VBROADCASTSS neg+48(FP), Y14
	VXORPS Y15, Y15, Y15
	MOVL w+40(FP), R10               // w's bits: above zero as an int32 too
	XORQ AX, AX                      // count
	XORQ DX, DX                      // first point of the chunk
ichunk:
	CMPQ DX, CX
	JGE icdone
	MOVQ CX, BX
	SUBQ DX, BX
	MOVQ BX, X1
	VPBROADCASTD X1, Y1
	VPCMPGTD C_IOTA(R13), Y1, Y1     // the chunk's lanes below n
	VMOVUPS (SI)(DX*4), Y2
	VMOVUPS (DI)(DX*4), Y3
	CMPL R10, $0
	JLE iedges
	IMAGE(Y2, Y3, Y1, Y12, Y13)
iedges:
	MOVQ R8, R11
	MOVQ R9, R12
iedge:
	EDGES(Y2, Y3, Y1, Y14, icount)
	JMP iedge
icount:
	VMOVMSKPS Y1, BX
	POPCNTL BX, BX
	ADDQ BX, AX
	ADDQ $8, DX
	JMP ichunk
icdone:
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET
