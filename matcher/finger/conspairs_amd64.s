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

// func consPairsAVX512(in *consIn, nb int, ar *consArea, out *uint64, max int, consts *uint32) int
//
// First, for B's laid-over minutiae 16 at a time: whether each is in A's
// area, and if so the band of A's minutiae in the grid rows within
// consTol (and the pixels to spare) of its height, as BLo[j] ≤ i < BHi[j]
// (empty otherwise). Then for every j and the minutiae i of its band 16
// at a time, consPairs's test with the same float32 operations:
// d² = ex·ex + ey·ey ≤ consTol² and A's direction · B's turned direction
// ≥ cos(consAng). Each pair that passes goes out as its sort key,
// d²'s bits << 32 | i << 16 | j; it returns how many, or stops past max
// (the caller then takes the portable path). A's arrays are read in
// whole vectors, past the band (inside consIn).
TEXT ·consPairsAVX512(SB), NOSPLIT, $0-56
	MOVQ in+0(FP), BX
	MOVQ nb+8(FP), DI
	MOVQ ar+16(FP), R15
	MOVQ out+24(FP), R8
	MOVQ max+32(FP), R10
	MOVQ consts+40(FP), R9
	VPXORD Z31, Z31, Z31             // 0
	VPTERNLOGD $0xff, Z30, Z30, Z30
	VPSRLD $31, Z30, Z30             // 1 (int32)
	MOVQ AR_ROWS(R15), R13

	// The bands.
	XORQ DX, DX                      // first j of the chunk
band:
	CMPQ DX, DI
	JGE pairs
	MOVQ DI, CX
	SUBQ DX, CX
	MOVQ $16, AX
	CMPQ CX, AX
	CMOVQGT AX, CX
	MOVL $0xffff, AX
	BZHIL CX, AX, AX
	KMOVW AX, K1
	VMOVUPS B_X(BX)(DX*4), Z0
	VMOVUPS B_Y(BX)(DX*4), Z1
	// inArea, its float32 operations as negated comparisons, so that
	// they agree with Go's even on NaN.
	MOVL AR_W(R15), AX               // w's bits: above zero as an int32 too
	CMPL AX, $0
	JLE bedges
	VCMPPS $5, Z31, Z0, K1, K1       // !(x < 0)
	VCMPPS $5, Z31, Z1, K1, K1       // !(y < 0)
	VCMPPS.BCST $9, AR_W(R15), Z0, K1, K1 // !(x >= w)
	VCMPPS.BCST $9, AR_H(R15), Z1, K1, K1 // !(y >= h)
bedges:
	MOVQ AR_HULL(R15), R11
	MOVQ AR_NH(R15), R12
bedge:
	TESTQ R12, R12
	JZ bbands
	VMULPS.BCST 0(R11), Z0, Z2       // NX·x
	VMULPS.BCST 4(R11), Z1, Z3       // NY·y
	VADDPS Z3, Z2, Z2
	VADDPS.BCST 8(R11), Z2, Z2       // + C
	VCMPPS.BCST $5, AR_NEG(R15), Z2, K1, K1 // !(… < -consMargin)
	ADDQ $12, R11
	DECQ R12
	JMP bedge
bbands:
	VSUBPS.BCST AR_GY0(R15), Z1, Z2
	VMULPS.BCST AR_INV(R15), Z2, Z2  // row of y
	VSUBPS.BCST AR_BAND(R15), Z2, Z3 // r0
	VADDPS.BCST AR_BAND(R15), Z2, Z4 // r1
	VCMPPS $13, Z31, Z4, K1, K1      // r1 ≥ 0 (not NaN)
	VCMPPS.BCST $1, AR_GH(R15), Z3, K1, K1 // r0 < gh
	VMAXPS Z31, Z3, Z3
	VMINPS.BCST AR_GH1(R15), Z4, Z4
	VCVTTPS2DQ Z3, Z3                // first row
	VCVTTPS2DQ Z4, Z4
	VPADDD Z30, Z4, Z4               // row past the last
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	KMOVW K1, K2
	VPGATHERDD (R13)(Z3*4), K2, Z5
	KMOVW K1, K2
	VPGATHERDD (R13)(Z4*4), K2, Z6
	VMOVDQU32 Z5, B_LO(BX)(DX*4)
	VMOVDQU32 Z6, B_HI(BX)(DX*4)
	ADDQ $16, DX
	JMP band

pairs:
	VBROADCASTSS 0(R9), Z28          // consTol²
	VBROADCASTSS 4(R9), Z29          // cos(consAng)
	VMOVDQU32 8(R9), Z30             // lanes 0–15
	MOVQ $16, R14
	MOVL $0x3333, R15                // lanes of the low dword unpack
	MOVL $0xcccc, R9                 // and of the high one

	XORQ R11, R11 // pairs out
	XORQ R12, R12 // j
brow:
	CMPQ R12, DI
	JGE bdone
	MOVLQSX B_LO(BX)(R12*4), CX      // i of the chunk
	MOVLQSX B_HI(BX)(R12*4), R13
	CMPQ CX, R13
	JGE bnext
	VBROADCASTSS B_X(BX)(R12*4), Z16
	VBROADCASTSS B_Y(BX)(R12*4), Z17
	VBROADCASTSS B_DX(BX)(R12*4), Z18
	VBROADCASTSS B_DY(BX)(R12*4), Z19
	VPBROADCASTD R12, Z20            // j
achunk:
	MOVQ R13, DX                     // lanes left in the band, at most 16
	SUBQ CX, DX
	CMPQ DX, R14
	CMOVQGT R14, DX
	MOVL $0xffff, AX
	BZHIL DX, AX, AX
	KMOVW AX, K1
	VMOVUPS A_X(BX)(CX*4), Z0
	VSUBPS Z16, Z0, Z0               // ex = A.X - x
	VMOVUPS A_Y(BX)(CX*4), Z1
	VSUBPS Z17, Z1, Z1               // ey = A.Y - y
	VMULPS Z0, Z0, Z0
	VMULPS Z1, Z1, Z1
	VADDPS Z1, Z0, Z0                // d²
	VCMPPS $2, Z28, Z0, K1, K1       // ≤ consTol²
	VMOVUPS A_CX(BX)(CX*4), Z2
	VMULPS Z18, Z2, Z2               // A.CX·dx
	VMOVUPS A_CY(BX)(CX*4), Z3
	VMULPS Z19, Z3, Z3               // A.CY·dy
	VADDPS Z3, Z2, Z2
	VCMPPS $13, Z29, Z2, K1, K1      // ≥ cos(consAng)
	// No branch on an empty mask: a few lanes in a hundred pass, at
	// random, so the branch would be mispredicted more than the
	// compress costs.
	VPBROADCASTD CX, Z4
	VPADDD Z30, Z4, Z4               // i
	VPSLLD $16, Z4, Z4
	VPORD Z20, Z4, Z4                // i<<16 | j
	// The keys: i<<16 | j in the low dword, d² in the high one, lanes
	// 0,1,4,5,… by the low unpack and 2,3,6,7,… by the high one; their
	// order does not matter (the caller sorts them).
	KMOVW K1, AX
	VPUNPCKLDQ Z0, Z4, Z5
	PEXTL R15, AX, DX
	KMOVB DX, K2
	VPCOMPRESSQ Z5, K2, Z6
	VMOVDQU64 Z6, (R8)(R11*8)
	POPCNTL DX, DX
	ADDQ DX, R11
	VPUNPCKHDQ Z0, Z4, Z5
	PEXTL R9, AX, DX
	KMOVB DX, K2
	VPCOMPRESSQ Z5, K2, Z6
	VMOVDQU64 Z6, (R8)(R11*8)
	POPCNTL DX, DX
	ADDQ DX, R11
	CMPQ R11, R10
	JG bdone
	ADDQ $16, CX
	CMPQ CX, R13
	JLT achunk
bnext:
	INCQ R12
	JMP brow
bdone:
	MOVQ R11, ret+48(FP)
	VZEROUPPER
	RET

// func areaCountAVX512(xs, ys *float32, n int, hull *edgeLine, nh int, w, h, neg float32) int
//
// How many of the n points (xs, ys) pass inArea with image w × h (no
// image test when w is not above zero) and the hull's edges, each test
// the same float32 operations, as negated comparisons so that they
// agree with Go's even on NaN. The arrays are read in whole vectors.
TEXT ·areaCountAVX512(SB), NOSPLIT, $0-64
	MOVQ xs+0(FP), SI
	MOVQ ys+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ hull+24(FP), R8
	MOVQ nh+32(FP), R9
	VBROADCASTSS w+40(FP), Z28
	VBROADCASTSS h+44(FP), Z29
	VBROADCASTSS neg+48(FP), Z30     // -consMargin
	VPXORD Z31, Z31, Z31
	MOVL w+40(FP), R10               // w's bits: above zero as an int32 too
	XORQ AX, AX                      // count
	XORQ DX, DX                      // first point of the chunk
achunk:
	CMPQ DX, CX
	JGE acdone
	MOVQ CX, BX
	SUBQ DX, BX
	MOVQ $0xffff, R11
	CMPQ BX, $16
	JGE afull
	MOVQ $1, R11
	SHLXQ BX, R11, R11
	DECQ R11
afull:
	KMOVW R11, K1
	VMOVUPS (SI)(DX*4), Z0
	VMOVUPS (DI)(DX*4), Z1
	CMPL R10, $0
	JLE aedges
	VCMPPS $5, Z31, Z0, K1, K1       // !(x < 0)
	VCMPPS $5, Z31, Z1, K1, K1       // !(y < 0)
	VCMPPS $9, Z28, Z0, K1, K1       // !(x >= w)
	VCMPPS $9, Z29, Z1, K1, K1       // !(y >= h)
aedges:
	MOVQ R8, R11
	MOVQ R9, R12
aedge:
	TESTQ R12, R12
	JZ acount
	KORTESTW K1, K1
	JZ acount
	VMULPS.BCST 0(R11), Z0, Z2       // NX·x
	VMULPS.BCST 4(R11), Z1, Z3       // NY·y
	VADDPS Z3, Z2, Z2
	VADDPS.BCST 8(R11), Z2, Z2       // + C
	VCMPPS $5, Z30, Z2, K1, K1       // !(… < -consMargin)
	ADDQ $12, R11
	DECQ R12
	JMP aedge
acount:
	KMOVW K1, BX
	POPCNTL BX, BX
	ADDQ BX, AX
	ADDQ $16, DX
	JMP achunk
acdone:
	MOVQ AX, ret+56(FP)
	VZEROUPPER
	RET
