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

// func consPairsAVX512(in *consIn, na, nb int, hi, lo *uint32, max int, consts *uint32) int
//
// For every minutia i of A and 16 of B's laid-over minutiae j at a time,
// consPairs's test with the same float32 operations: d² = ex·ex + ey·ey
// ≤ consTol² and A's direction · B's turned direction ≥ cos(consAng).
// Each pair that passes goes out as d²'s bits in hi and i<<16 | j in lo;
// it returns how many, or stops past max (the caller then takes the
// portable path). nb is a multiple of 16, its padding far away.
TEXT ·consPairsAVX512(SB), NOSPLIT, $0-64
	MOVQ in+0(FP), BX
	MOVQ na+8(FP), SI
	MOVQ nb+16(FP), DI
	MOVQ hi+24(FP), R8
	MOVQ lo+32(FP), R9
	MOVQ max+40(FP), R10
	MOVQ consts+48(FP), AX
	VBROADCASTSS 0(AX), Z28          // consTol²
	VBROADCASTSS 4(AX), Z29          // cos(consAng)
	VMOVDQU32 8(AX), Z30             // lanes 0–15

	XORQ R11, R11 // pairs out
	XORQ R12, R12 // i
arow:
	CMPQ R12, SI
	JGE adone
	VBROADCASTSS A_X(BX)(R12*4), Z16
	VBROADCASTSS A_Y(BX)(R12*4), Z17
	VBROADCASTSS A_CX(BX)(R12*4), Z18
	VBROADCASTSS A_CY(BX)(R12*4), Z19
	MOVQ R12, AX
	SHLQ $16, AX
	VPBROADCASTD AX, Z20             // i<<16
	XORQ CX, CX                      // j of the chunk
bchunk:
	CMPQ CX, DI
	JGE anext
	VMOVUPS B_X(BX)(CX*4), Z0
	VSUBPS Z0, Z16, Z0               // ex = A.X - x
	VMOVUPS B_Y(BX)(CX*4), Z1
	VSUBPS Z1, Z17, Z1               // ey = A.Y - y
	VMULPS Z0, Z0, Z0
	VMULPS Z1, Z1, Z1
	VADDPS Z1, Z0, Z0                // d²
	VCMPPS $2, Z28, Z0, K1           // d² ≤ consTol²
	VMOVUPS B_DX(BX)(CX*4), Z2
	VMULPS Z2, Z18, Z2               // A.CX·dx
	VMOVUPS B_DY(BX)(CX*4), Z3
	VMULPS Z3, Z19, Z3               // A.CY·dy
	VADDPS Z3, Z2, Z2
	VCMPPS $13, Z29, Z2, K1, K1      // ≥ cos(consAng)
	// No branch on an empty mask: a few lanes in a hundred pass, at
	// random, so the branch would be mispredicted more than the
	// compress costs.
	VPBROADCASTD CX, Z4
	VPADDD Z30, Z4, Z4               // j
	VPORD Z20, Z4, Z4                // i<<16 | j
	VPCOMPRESSD Z0, K1, Z5
	VMOVDQU32 Z5, (R8)(R11*4)
	VPCOMPRESSD Z4, K1, Z5
	VMOVDQU32 Z5, (R9)(R11*4)
	KMOVW K1, AX
	POPCNTL AX, AX
	ADDQ AX, R11
	CMPQ R11, R10
	JG adone
	ADDQ $16, CX
	JMP bchunk
anext:
	INCQ R12
	JMP arow
adone:
	MOVQ R11, ret+56(FP)
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
