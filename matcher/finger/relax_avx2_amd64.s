#include "textflag.h"

// Constants (relaxConstsAVX2), byte offsets: eight lanes each.
#define R_DISTSTEPS 0
#define R_HALF 32
#define R_DISTLEN 64
#define R_ANGSCALE 96
#define R_ANGSTEPS 128
#define R_PI 160
#define R_TWOPI 192
#define R_NEGPI 224
#define R_HALFPI 256
#define R_QUARTERPI 288
#define R_ATANK 320
#define R_ONE 352
#define R_ABS 384
#define R_SIGN 416
#define R_STRETCH 448
#define R_IOTA 480
#define R_MINUS1 512

// relaxIn's arrays, byte offsets.
#define IN_AX 0
#define IN_AY 256
#define IN_AD 512
#define IN_BX 768
#define IN_BY 1024
#define IN_BD 1280
#define IN_PA 1536
#define IN_PB 1792

// WRAPV(d, t, m): wrap32's loops, each run at most once (the bounds are
// those of relax_amd64.s's WRAP), with blends for the AVX-512 masks.
#define WRAPV(d, t, m) \
	VSUBPS R_TWOPI(R10), d, t; \
	VCMPPS $14, R_PI(R10), d, m; \
	VBLENDVPS m, t, d, d; \
	VADDPS R_TWOPI(R10), d, t; \
	VCMPPS $1, R_NEGPI(R10), d, m; \
	VBLENDVPS m, t, d, d

// ANGLEDIFFV(d, t, m): angleDiff32 of the difference d, |wrap32(d)|.
#define ANGLEDIFFV(d, t, m) \
	WRAPV(d, t, m); \
	VANDPS R_ABS(R10), d, d

// ANGLEIDXV(v): v = min(int(v*(angleSteps/π) + 0.5), angleSteps), unsigned.
#define ANGLEIDXV(v) \
	VMULPS R_ANGSCALE(R10), v, v; \
	VADDPS R_HALF(R10), v, v; \
	VCVTTPS2DQ v, v; \
	VPMINUD R_ANGSTEPS(R10), v, v

// ATAN2FV(y, x, a, t1, t2, m): a = atan2f(y, x), as relax_amd64.s's
// ATAN2F with blends; t1, t2, m scratch.
#define ATAN2FV(y, x, a, t1, t2, m) \
	VANDPS R_ABS(R10), x, t1; \
	VANDPS R_ABS(R10), y, t2; \
	VCMPPS $13, t2, t1, m; \
	VBLENDVPS m, t2, t1, a; \
	VBLENDVPS m, t1, t2, t2; \
	VDIVPS t2, a, t1; \
	VMOVUPS R_ONE(R10), t2; \
	VSUBPS t1, t2, t2; \
	VMULPS R_ATANK(R10), t2, t2; \
	VADDPS R_QUARTERPI(R10), t2, t2; \
	VMULPS t2, t1, t1; \
	VMOVUPS R_HALFPI(R10), a; \
	VSUBPS t1, a, a; \
	VBLENDVPS m, t1, a, a; \
	VXORPS t2, t2, t2; \
	VCMPPS $1, t2, x, m; \
	VMOVUPS R_PI(R10), t1; \
	VSUBPS a, t1, t1; \
	VBLENDVPS m, t1, a, a; \
	VCMPPS $1, t2, y, m; \
	VANDPS R_SIGN(R10), m, t1; \
	VXORPS t1, a, a; \
	VORPS x, y, t1; \
	VANDPS R_ABS(R10), t1, t1; \
	VCMPPS $4, t2, t1, m; \
	VANDPS m, a, a

// DIFFV(arr, d): d = arr[j] - arr[i] for the chunk's lanes j; clobbers Y6.
#define DIFFV(arr, d) \
	VBROADCASTSS arr(BX)(R12*4), Y6; \
	VMOVUPS arr(BX)(CX*4), d; \
	VSUBPS Y6, d, d

// GATHERV(tab, idx, dst): dst = tab[idx] in the lanes of Y1, zero in the
// others; clobbers Y7 (VGATHERDPS consumes its mask).
#define GATHERV(tab, idx, dst) \
	VXORPS dst, dst, dst; \
	VMOVDQU Y1, Y7; \
	VGATHERDPS Y7, (tab)(idx*4), dst

// ANGLECOMPATV(x, y, dst): dst = angleCompat(angleDiff32(wrap32(ad[i]-x),
// wrap32(bd[i]-y))) in the lanes of Y1; clobbers x, y, Y7, Y8.
#define ANGLECOMPATV(x, y, dst) \
	VSUBPS x, Y10, x; \
	WRAPV(x, Y7, Y8); \
	VSUBPS y, Y11, y; \
	WRAPV(y, Y7, Y8); \
	VSUBPS y, x, x; \
	ANGLEDIFFV(x, Y7, Y8); \
	ANGLEIDXV(x); \
	GATHERV(R14, x, dst)

// Queue of candidate lanes (relaxIn.Q), byte offsets: 32 lanes per array.
#define Q_DXA 2048
#define Q_DYA 2176
#define Q_DXB 2304
#define Q_DYB 2432
#define Q_IDX 2560
#define Q_ADI 2688
#define Q_BDI 2816
#define Q_ADJ 2944
#define Q_BDJ 3072
#define Q_OFF 3200

// QPUT(v, off): appends v's lanes picked by Y9 (VPERMD indices) to the
// queue array at off; clobbers Y7.
#define QPUT(v, off) \
	VPERMD v, Y9, Y7; \
	VMOVUPS Y7, off(BX)(R8*4)

// func relaxCompatAVX2(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64, consts *uint32, distTab, angleTab *float32, compress *uint64)
//
// relaxCompatAVX512 on AVX2: for row i and 8 lanes j at a time, the body
// of compat (relaxkernel.go) with the same float32 operations in the
// same order, so the matrix is bit-identical to relaxCompatGo's
// (mirrored). Most pairs fail the distance test, so the lanes that pass
// are queued (VPERMD with the indices compress[mask], as AVX2 has no
// VCOMPRESSPS) and their angles (two atan2f, two gathers) computed 8 at
// a time, whatever rows they come from; with no scatter either, each
// result goes to ρ[i][j] and ρ[j][i] by scalar stores. rho is zeroed
// first (rows below n, 16·⌈n/16⌉ columns) and nz worked out from it at
// the end.
//
// Registers in the rows: Y14 n, Y15 i, Y1 the lanes still compatible,
// Y2–Y5 dxa, dya, dxb, dyb, Y6 distCompat's index, Y10 ad[i], Y11 bd[i],
// Y12 row i's byte offset in rho; R8 the lanes queued. In a flush, Y10
// and Y11 hold the queued lanes' ad[i], bd[i].
TEXT ·relaxCompatAVX2(SB), NOSPLIT, $0-64
	MOVQ in+0(FP), BX
	MOVQ n+8(FP), SI
	MOVQ rho+16(FP), DI
	MOVQ nz+24(FP), R9
	MOVQ consts+32(FP), R10
	MOVQ angleTab+48(FP), R14

	// Zero the part of rho the kernel fills: rows below n, columns below
	// 16·⌈n/16⌉ (the rounds read them); the pairs are scattered to it.
	LEAQ 15(SI), CX
	SHRQ $4, CX
	SHLQ $6, CX                      // bytes a row
	VXORPS Y0, Y0, Y0
	MOVQ DI, AX
	XORQ R12, R12
qzrow:
	CMPQ R12, SI
	JGE qzdone
	XORQ DX, DX
qzvec:
	VMOVUPS Y0, (AX)(DX*1)
	ADDQ $32, DX
	CMPQ DX, CX
	JLT qzvec
	ADDQ $256, AX
	INCQ R12
	JMP qzrow
qzdone:

	MOVQ SI, X14
	VPBROADCASTD X14, Y14 // n
	XORQ R8, R8           // lanes queued
	XORQ R12, R12         // i
qrow:
	CMPQ R12, SI
	JGE qdone
	MOVQ R12, CX
	INCQ CX
	ANDQ $~7, CX                       // chunk's first j
	CMPQ CX, SI
	JGE qrowdone
	MOVQ R12, X15
	VPBROADCASTD X15, Y15              // i
	VBROADCASTSS IN_AD(BX)(R12*4), Y10 // ad[i]
	VBROADCASTSS IN_BD(BX)(R12*4), Y11 // bd[i]
	VPSLLD $8, Y15, Y12                // row i's byte offset in rho

qchunk:
	// valid: i < j < n, no minutia shared.
	MOVQ CX, X0
	VPBROADCASTD X0, Y0
	VPADDD R_IOTA(R10), Y0, Y0 // j
	VPCMPGTD Y15, Y0, Y1       // j > i
	VPCMPGTD Y0, Y14, Y2       // n > j
	VPAND Y2, Y1, Y1
	VPBROADCASTD IN_PA(BX)(R12*4), Y2
	VPCMPEQD IN_PA(BX)(CX*4), Y2, Y2
	VPANDN Y1, Y2, Y1
	VPBROADCASTD IN_PB(BX)(R12*4), Y2
	VPCMPEQD IN_PB(BX)(CX*4), Y2, Y2
	VPANDN Y1, Y2, Y1

	DIFFV(IN_AX, Y2) // dxa
	DIFFV(IN_AY, Y3) // dya
	DIFFV(IN_BX, Y4) // dxb
	DIFFV(IN_BY, Y5) // dyb

	VMULPS Y2, Y2, Y6
	VMULPS Y3, Y3, Y7
	VADDPS Y7, Y6, Y6
	VSQRTPS Y6, Y6 // da
	VMULPS Y4, Y4, Y7
	VMULPS Y5, Y5, Y8
	VADDPS Y8, Y7, Y7
	VSQRTPS Y7, Y7 // db

	VADDPS Y7, Y6, Y8
	VMULPS R_STRETCH(R10), Y8, Y8
	VADDPS R_ONE(R10), Y8, Y8
	VSUBPS Y7, Y6, Y6
	VANDPS R_ABS(R10), Y6, Y6
	VDIVPS Y8, Y6, Y6
	VMULPS R_DISTSTEPS(R10), Y6, Y6
	VADDPS R_HALF(R10), Y6, Y6
	VCVTTPS2DQ Y6, Y6
	VMOVDQU R_DISTLEN(R10), Y7
	VPCMPGTD Y6, Y7, Y7            // distNonZero > index
	VPCMPGTD R_MINUS1(R10), Y6, Y8 // index > -1
	VPAND Y8, Y7, Y7
	VPAND Y7, Y1, Y1
	VMOVMSKPS Y1, AX
	TESTL AX, AX
	JZ qnext // no lane within distance tolerance

	// Queue the lanes that pass.
	MOVQ compress+56(FP), DX
	VPMOVZXBD (DX)(AX*8), Y9
	QPUT(Y2, Q_DXA)
	QPUT(Y3, Q_DYA)
	QPUT(Y4, Q_DXB)
	QPUT(Y5, Q_DYB)
	QPUT(Y6, Q_IDX)
	VMOVUPS Y10, Q_ADI(BX)(R8*4)
	VMOVUPS Y11, Q_BDI(BX)(R8*4)
	VMOVUPS IN_AD(BX)(CX*4), Y8
	QPUT(Y8, Q_ADJ)
	VMOVUPS IN_BD(BX)(CX*4), Y8
	QPUT(Y8, Q_BDJ)
	VPSLLD $2, Y0, Y8
	VPADDD Y12, Y8, Y8               // ρ[i][j]'s byte offset
	QPUT(Y8, Q_OFF)
	POPCNTL AX, AX
	ADDQ AX, R8
	CMPQ R8, $8
	JGE qflush

qnext:
	ADDQ $8, CX
	CMPQ CX, SI
	JLT qchunk

qrowdone:
	INCQ R12
	JMP qrow

qdone:
	TESTQ R8, R8
	JZ qfinish

	// The first min(R8, 8) queued lanes: the rest of compat.
qflush:
	MOVQ R8, AX
	MOVQ $8, DX
	CMPQ AX, DX
	CMOVQGT DX, AX
	MOVQ AX, X1
	VPBROADCASTD X1, Y1
	VPCMPGTD R_IOTA(R10), Y1, Y1     // the lanes to finish

	VMOVUPS Q_ADI(BX), Y10
	VMOVUPS Q_BDI(BX), Y11
	// d1 = distTab[index]
	VMOVDQU Q_IDX(BX), Y6
	MOVQ distTab+40(FP), R13
	GATHERV(R13, Y6, Y9)
	// d2 = angleCompat(angleDiff32(wrap32(ad[i]-ad[j]), wrap32(bd[i]-bd[j])))
	VMOVUPS Q_ADJ(BX), Y0
	VMOVUPS Q_BDJ(BX), Y12
	ANGLECOMPATV(Y0, Y12, Y12)
	VMULPS Y12, Y9, Y9
	// d3 = angleCompat(angleDiff32(wrap32(ad[i]-ra), wrap32(bd[i]-rb)))
	VMOVUPS Q_DXA(BX), Y2
	VMOVUPS Q_DYA(BX), Y3
	VMOVUPS Q_DXB(BX), Y4
	VMOVUPS Q_DYB(BX), Y5
	ATAN2FV(Y3, Y2, Y0, Y7, Y8, Y12)
	ATAN2FV(Y5, Y4, Y13, Y7, Y8, Y12)
	ANGLECOMPATV(Y0, Y13, Y12)
	VMULPS Y12, Y9, Y9

	// r to ρ[i][j] and ρ[j][i], lane by lane (no scatter on AVX2); the
	// indices are done with, so r waits in Q_IDX.
	VMOVUPS Y9, Q_IDX(BX)
	XORQ R15, R15
qscatter:
	MOVL Q_OFF(BX)(R15*4), R13       // i·256 + j·4
	MOVL Q_IDX(BX)(R15*4), DX
	MOVL DX, (DI)(R13*1)
	MOVQ R13, R11
	ANDQ $255, R11
	SHLQ $6, R11                     // j·256
	SHRQ $8, R13
	LEAQ (R11)(R13*4), R11           // + i·4
	MOVL DX, (DI)(R11*1)
	INCQ R15
	CMPQ R15, AX
	JLT qscatter

	CMPQ R8, $8
	JLE qfinish // the last, partial flush (or a full one at the end)
	// The ten queue arrays, 128 bytes apart, move down by 8 lanes.
	MOVQ BX, R11
	MOVQ $10, R13
qmove:
	VMOVUPS Q_DXA+32(R11), Y7
	VMOVUPS Y7, Q_DXA(R11)
	ADDQ $128, R11
	DECQ R13
	JNZ qmove
	SUBQ $8, R8
	CMPQ R12, SI
	JGE qdone // rows done: flush what is left
	VBROADCASTSS IN_AD(BX)(R12*4), Y10
	VBROADCASTSS IN_BD(BX)(R12*4), Y11
	VPSLLD $8, Y15, Y12
	JMP qnext

qfinish:
	CMPQ R12, SI
	JGE qnz
	// A full flush of exactly 8 lanes, rows not done.
	XORQ R8, R8
	VBROADCASTSS IN_AD(BX)(R12*4), Y10
	VBROADCASTSS IN_BD(BX)(R12*4), Y11
	VPSLLD $8, Y15, Y12
	JMP qnext

qnz:
	// nz[i]: the lanes of row i that are not zero.
	VXORPS Y7, Y7, Y7
	MOVQ DI, AX
	XORQ R12, R12
qnzrow:
	CMPQ R12, SI
	JGE qret
	XORQ DX, DX  // the row's mask
	XORQ R15, R15 // vector
qnzvec:
	MOVQ R15, R11
	SHLQ $5, R11
	VCMPPS $4, (AX)(R11*1), Y7, Y6
	VMOVMSKPS Y6, R11
	LEAQ (R15*8), CX
	SHLQ CX, R11
	ORQ R11, DX
	INCQ R15
	LEAQ (R15*8), CX             // the next vector's first column
	CMPQ CX, SI
	JLT qnzvec
	MOVQ DX, (R9)(R12*8)
	ADDQ $256, AX
	INCQ R12
	JMP qnzrow
qret:
	VZEROUPPER
	RET

// ROWSUM(c, acc): acc += rho[j][8c:8c+8] * lam[j] (Y8), unless the rows
// have only c chunks (R9), then on to the next j.
#define ROWSUM(c, acc) \
	CMPQ R9, $c; \
	JEQ jnext; \
	VMULPS (c*32)(AX), Y8, Y9; \
	VADDPS Y9, acc, acc

// LAMNEXT(c, acc): lam[8c:8c+8] = w*lam + (w1*acc)/n1, unless the rows
// have only c chunks.
#define LAMNEXT(c, acc) \
	CMPQ R9, $c; \
	JEQ iternext; \
	VMULPS (c*32)(SI), Y10, Y8; \
	VMULPS acc, Y11, Y9; \
	VDIVPS Y12, Y9, Y9; \
	VADDPS Y9, Y8, Y8; \
	VMOVUPS Y8, (c*32)(SI)

// func relaxIterAVX2(rho *[relaxMax][relaxMax]float32, lam *[relaxMax]float32, n, iters int, w, w1, n1 float32)
//
// relaxIterAVX512 on AVX2: iters rounds of lam[i] = w*lam[i] + (w1*s)/n1
// with s = Σj rho[j][i]*lam[j], 8 rows i at a time in Y0–Y7 (rho
// symmetric, zero where pairs are incompatible); s accumulates in
// ascending j, one multiply then one add, so the result is bit-identical
// to the Go loop's.
TEXT ·relaxIterAVX2(SB), NOSPLIT, $0-44
	MOVQ rho+0(FP), DI
	MOVQ lam+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ iters+24(FP), R8
	TESTQ CX, CX
	JZ iterdone
	TESTQ R8, R8
	JZ iterdone
	LEAQ 7(CX), R9
	SHRQ $3, R9 // chunks of 8 rows
	VBROADCASTSS w+32(FP), Y10
	VBROADCASTSS w1+36(FP), Y11
	VBROADCASTSS n1+40(FP), Y12

iter:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ DI, AX // row j of rho
	XORQ DX, DX // j
jloop:
	VBROADCASTSS (SI)(DX*4), Y8
	ROWSUM(0, Y0)
	ROWSUM(1, Y1)
	ROWSUM(2, Y2)
	ROWSUM(3, Y3)
	ROWSUM(4, Y4)
	ROWSUM(5, Y5)
	ROWSUM(6, Y6)
	ROWSUM(7, Y7)
jnext:
	ADDQ $256, AX
	INCQ DX
	CMPQ DX, CX
	JLT jloop

	LAMNEXT(0, Y0)
	LAMNEXT(1, Y1)
	LAMNEXT(2, Y2)
	LAMNEXT(3, Y3)
	LAMNEXT(4, Y4)
	LAMNEXT(5, Y5)
	LAMNEXT(6, Y6)
	LAMNEXT(7, Y7)
iternext:
	DECQ R8
	JNZ iter
iterdone:
	VZEROUPPER
	RET
