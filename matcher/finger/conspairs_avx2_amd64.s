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

// Constants (consConstsAVX2), byte offsets: eight lanes each.
#define C_TOL2 0
#define C_COS 32
#define C_IOTA 64
#define C_EIGHT 96

// func consPairsAVX2(in *consIn, na, nb int, hi, lo *uint32, max int, consts *uint32, compress *uint64) int
//
// consPairsAVX512 on AVX2, 8 of B's minutiae j at a time, the same
// float32 operations. With no VPCOMPRESSD, the passing lanes are packed
// by VPERMD with the indices compress[mask] (the set lanes first, as
// bytes) and whole vectors are written: hi and lo have room for one past
// max. Branch-free, as a few lanes in a hundred pass, at random.
//
// Registers: Y8–Y11 A's x, y, cx, cy, Y12 i<<16 | j, Y14 consTol², Y15
// cos(consAng).
TEXT ·consPairsAVX2(SB), NOSPLIT, $0-72
	MOVQ in+0(FP), BX
	MOVQ na+8(FP), SI
	MOVQ nb+16(FP), DI
	MOVQ hi+24(FP), R8
	MOVQ lo+32(FP), R9
	MOVQ max+40(FP), R10
	MOVQ consts+48(FP), DX
	MOVQ compress+56(FP), R13
	VMOVUPS C_TOL2(DX), Y14
	VMOVUPS C_COS(DX), Y15

	XORQ R11, R11 // pairs out
	XORQ R12, R12 // i
crow:
	CMPQ R12, SI
	JGE cdone
	VBROADCASTSS A_X(BX)(R12*4), Y8
	VBROADCASTSS A_Y(BX)(R12*4), Y9
	VBROADCASTSS A_CX(BX)(R12*4), Y10
	VBROADCASTSS A_CY(BX)(R12*4), Y11
	MOVQ R12, AX
	SHLQ $16, AX
	MOVQ AX, X12
	VPBROADCASTD X12, Y12
	VPOR C_IOTA(DX), Y12, Y12        // i<<16 | j for j = 0–7
	XORQ CX, CX                      // j of the chunk
	CMPQ CX, DI
	JGE cnext
cchunk:
	VMOVUPS B_DX(BX)(CX*4), Y2
	VMULPS Y2, Y10, Y2               // A.CX·dx
	VMOVUPS B_DY(BX)(CX*4), Y3
	VMULPS Y3, Y11, Y3               // A.CY·dy
	VADDPS Y3, Y2, Y2
	VCMPPS $13, Y15, Y2, Y2          // ≥ cos(consAng)
	VMOVUPS B_X(BX)(CX*4), Y0
	VSUBPS Y0, Y8, Y0                // ex = A.X - x
	VMOVUPS B_Y(BX)(CX*4), Y1
	VSUBPS Y1, Y9, Y1                // ey = A.Y - y
	VMULPS Y0, Y0, Y0
	VMULPS Y1, Y1, Y1
	VADDPS Y1, Y0, Y0                // d²
	VCMPPS $2, Y14, Y0, Y1           // d² ≤ consTol²
	VANDPS Y2, Y1, Y1
	VMOVMSKPS Y1, AX
	VPMOVZXBD (R13)(AX*8), Y4        // the passing lanes first
	VPERMD Y0, Y4, Y5
	VMOVDQU Y5, (R8)(R11*4)
	VPERMD Y12, Y4, Y5
	VMOVDQU Y5, (R9)(R11*4)
	VPADDD C_EIGHT(DX), Y12, Y12
	POPCNTL AX, AX
	ADDQ AX, R11
	CMPQ R11, R10
	JG cdone
	ADDQ $8, CX
	CMPQ CX, DI
	JLT cchunk
cnext:
	INCQ R12
	JMP crow
cdone:
	MOVQ R11, ret+64(FP)
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
	VCMPPS $5, Y15, Y2, Y4           // !(x < 0)
	VANDPS Y4, Y1, Y1
	VCMPPS $5, Y15, Y3, Y4           // !(y < 0)
	VANDPS Y4, Y1, Y1
	VCMPPS $9, Y12, Y2, Y4           // !(x >= w)
	VANDPS Y4, Y1, Y1
	VCMPPS $9, Y13, Y3, Y4           // !(y >= h)
	VANDPS Y4, Y1, Y1
iedges:
	MOVQ R8, R11
	MOVQ R9, R12
iedge:
	TESTQ R12, R12
	JZ icount
	VPTEST Y1, Y1
	JZ icount
	VBROADCASTSS 0(R11), Y4
	VMULPS Y4, Y2, Y4                // NX·x
	VBROADCASTSS 4(R11), Y5
	VMULPS Y5, Y3, Y5                // NY·y
	VADDPS Y5, Y4, Y4
	VBROADCASTSS 8(R11), Y5
	VADDPS Y5, Y4, Y4                // + C
	VCMPPS $5, Y14, Y4, Y4           // !(… < -consMargin)
	VANDPS Y4, Y1, Y1
	ADDQ $12, R11
	DECQ R12
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
