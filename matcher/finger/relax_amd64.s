#include "textflag.h"

// Constants (relaxConsts), byte offsets.
#define C_DISTSTEPS 0
#define C_HALF 4
#define C_DISTLEN 8
#define C_ANGSCALE 12
#define C_ANGSTEPS 16
#define C_PI 20
#define C_TWOPI 24
#define C_NEGPI 28
#define C_HALFPI 32
#define C_QUARTERPI 36
#define C_ATANK 40
#define C_ONE 44
#define C_ABS 48
#define C_SIGN 52
#define C_STRETCH 56
#define C_IOTA 64

// WRAP(d): wrap32's loops for d within [-2π-ε, 3π+ε], where each runs
// at most once: directions are in [0, 2π] (Prepare), atan2f's results in
// [-π, π], so every difference wrapped here is within those bounds
// (a direction minus a direction or an atan2f result, or the difference
// of two wrapped values). TestRelaxKernel checks the bounds' edges.
#define WRAP(d) \
	VCMPPS.BCST $14, C_PI(R10), d, K3; \
	VSUBPS.BCST C_TWOPI(R10), d, K3, d; \
	VCMPPS.BCST $1, C_NEGPI(R10), d, K3; \
	VADDPS.BCST C_TWOPI(R10), d, K3, d

// ANGLEDIFF(d): angleDiff32 of the difference d, |wrap32(d)|.
#define ANGLEDIFF(d) \
	WRAP(d); \
	VANDPS.BCST C_ABS(R10), d, d

// ATAN2F(y, x, a, t1, t2): a = atan2f(y, x); t1, t2 scratch.
#define ATAN2F(y, x, a, t1, t2) \
	VANDPS.BCST C_ABS(R10), x, t1; \
	VANDPS.BCST C_ABS(R10), y, t2; \
	VCMPPS $13, t2, t1, K4; \
	VMOVAPS t1, a; \
	VMOVAPS t2, K4, a; \
	VMOVAPS t1, K4, t2; \
	VDIVPS t2, a, t1; \
	VSUBPS t1, Z28, t2; \
	VMULPS.BCST C_ATANK(R10), t2, t2; \
	VADDPS.BCST C_QUARTERPI(R10), t2, t2; \
	VMULPS t2, t1, t1; \
	VSUBPS t1, Z29, a; \
	VMOVAPS t1, K4, a; \
	VCMPPS $1, Z31, x, K5; \
	VSUBPS a, Z30, K5, a; \
	VCMPPS $1, Z31, y, K5; \
	VXORPS.BCST C_SIGN(R10), a, K5, a; \
	VANDPS.BCST C_ABS(R10), x, t1; \
	VANDPS.BCST C_ABS(R10), y, t2; \
	VORPS t1, t2, t2; \
	VCMPPS $0, Z31, t2, K5; \
	VXORPS a, a, K5, a

// ANGLEIDX(v): v = min(int(v*(angleSteps/π) + 0.5), angleSteps), unsigned.
#define ANGLEIDX(v) \
	VMULPS.BCST C_ANGSCALE(R10), v, v; \
	VADDPS.BCST C_HALF(R10), v, v; \
	VCVTTPS2DQ v, v; \
	VPMINUD.BCST C_ANGSTEPS(R10), v, v

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

// QMOVE(off): the queue array at off moves down by 16 lanes.
#define QMOVE(off) \
	VMOVUPS off+64(BX), Z0; \
	VMOVUPS Z0, off(BX)

// func relaxCompatAVX512(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64, consts *uint32, distTab, angleTab *float32)
//
// For row i and 16 lanes j at a time, the body of compat (relaxkernel.go)
// with the same float32 operations in the same order: the matrix is
// bit-identical to relaxCompatGo's. Most pairs fail the distance test
// (about 85% on FVC templates), so a first pass only computes the
// distances and queues the lanes that pass; the angles (two atan2f and
// two table gathers) are computed 16 queued lanes at a time, whatever
// rows they come from, and scattered to rho; nz is worked out from
// the rows at the end.
TEXT ·relaxCompatAVX512(SB), NOSPLIT, $0-56
	MOVQ in+0(FP), BX
	MOVQ n+8(FP), SI
	MOVQ rho+16(FP), DI
	MOVQ nz+24(FP), R9
	MOVQ consts+32(FP), R10
	MOVQ distTab+40(FP), R13
	MOVQ angleTab+48(FP), R14

	VPBROADCASTD SI, Z25             // n
	VMOVDQU32 C_IOTA(R10), Z26       // lanes 0–15
	VBROADCASTSS C_ONE(R10), Z28
	VBROADCASTSS C_HALFPI(R10), Z29
	VBROADCASTSS C_PI(R10), Z30
	VPXORD Z31, Z31, Z31             // 0

	// Zero the part of rho the kernel fills: rows below n, whole chunks
	// of columns (the rounds read them); only non-zero entries are
	// scattered below, to both triangles.
	MOVQ SI, R15
	ADDQ $15, R15
	SHRQ $4, R15                     // chunks a row
	MOVQ DI, AX
	XORQ R12, R12
zrow:
	CMPQ R12, SI
	JGE zdone
	XORQ CX, CX
zchunk:
	MOVQ CX, R11
	SHLQ $6, R11
	VMOVUPS Z31, (AX)(R11*1)
	INCQ CX
	CMPQ CX, R15
	JLT zchunk
	ADDQ $256, AX
	INCQ R12
	JMP zrow
zdone:

	XORQ R8, R8   // lanes queued
	XORQ R12, R12 // i
row:
	CMPQ R12, SI
	JGE done
	VBROADCASTSS 0(BX)(R12*4), Z16   // ax[i]
	VBROADCASTSS 256(BX)(R12*4), Z17 // ay[i]
	VBROADCASTSS 512(BX)(R12*4), Z18 // ad[i]
	VBROADCASTSS 768(BX)(R12*4), Z19 // bx[i]
	VBROADCASTSS 1024(BX)(R12*4), Z20 // by[i]
	VBROADCASTSS 1280(BX)(R12*4), Z21 // bd[i]
	VPBROADCASTD 1536(BX)(R12*4), Z22 // pa[i]
	VPBROADCASTD 1792(BX)(R12*4), Z23 // pb[i]
	VPBROADCASTD R12, Z24            // i
	MOVQ R12, AX
	SHLQ $8, AX
	VPBROADCASTD AX, Z27             // row i's byte offset in rho
	// Chunks of 16 lanes j from the one holding i+1, while j < n.
	MOVQ R12, CX
	INCQ CX
	ANDQ $~15, CX                    // chunk's first j
	MOVQ CX, R11
	SHLQ $2, R11                     // its offset in bytes
	CMPQ CX, SI
	JGE rowdone

chunk:
	// valid: i < j < n, no minutia shared.
	VPBROADCASTD CX, Z0
	VPADDD Z26, Z0, Z0               // j
	VPCMPD $6, Z24, Z0, K1
	VPCMPD $1, Z25, Z0, K1, K1
	VMOVDQU32 1536(BX)(R11*1), Z1
	VPCMPD $4, Z22, Z1, K1, K1
	VMOVDQU32 1792(BX)(R11*1), Z1
	VPCMPD $4, Z23, Z1, K1, K1

	VMOVUPS 0(BX)(R11*1), Z2
	VSUBPS Z16, Z2, Z2  // dxa
	VMOVUPS 256(BX)(R11*1), Z3
	VSUBPS Z17, Z3, Z3  // dya
	VMOVUPS 768(BX)(R11*1), Z4
	VSUBPS Z19, Z4, Z4  // dxb
	VMOVUPS 1024(BX)(R11*1), Z5
	VSUBPS Z20, Z5, Z5  // dyb

	VMULPS Z2, Z2, Z6
	VMULPS Z3, Z3, Z7
	VADDPS Z7, Z6, Z6
	VSQRTPS Z6, Z6      // da
	VMULPS Z4, Z4, Z7
	VMULPS Z5, Z5, Z8
	VADDPS Z8, Z7, Z7
	VSQRTPS Z7, Z7      // db

	// distCompat's index, |da - db| / (1 + (da+db)*distStretch) steps.
	VADDPS Z7, Z6, Z8
	VMULPS.BCST C_STRETCH(R10), Z8, Z8
	VADDPS.BCST C_ONE(R10), Z8, Z8
	VSUBPS Z7, Z6, Z6
	VANDPS.BCST C_ABS(R10), Z6, Z6
	VDIVPS Z8, Z6, Z6
	VMULPS.BCST C_DISTSTEPS(R10), Z6, Z6
	VADDPS.BCST C_HALF(R10), Z6, Z6
	VCVTTPS2DQ Z6, Z6
	VPCMPUD.BCST $1, C_DISTLEN(R10), Z6, K1, K2

	KORTESTW K2, K2
	JZ next // no lane within distance tolerance

	// Queue the lanes that pass.
	VCOMPRESSPS Z2, K2, Z1
	VMOVUPS Z1, Q_DXA(BX)(R8*4)
	VCOMPRESSPS Z3, K2, Z1
	VMOVUPS Z1, Q_DYA(BX)(R8*4)
	VCOMPRESSPS Z4, K2, Z1
	VMOVUPS Z1, Q_DXB(BX)(R8*4)
	VCOMPRESSPS Z5, K2, Z1
	VMOVUPS Z1, Q_DYB(BX)(R8*4)
	VPCOMPRESSD Z6, K2, Z1
	VMOVDQU32 Z1, Q_IDX(BX)(R8*4)
	VMOVUPS Z18, Q_ADI(BX)(R8*4)
	VMOVUPS Z21, Q_BDI(BX)(R8*4)
	VMOVUPS 512(BX)(R11*1), Z1
	VCOMPRESSPS Z1, K2, Z1
	VMOVUPS Z1, Q_ADJ(BX)(R8*4)
	VMOVUPS 1280(BX)(R11*1), Z1
	VCOMPRESSPS Z1, K2, Z1
	VMOVUPS Z1, Q_BDJ(BX)(R8*4)
	VPSLLD $2, Z0, Z1
	VPADDD Z27, Z1, Z1               // ρ[i][j]'s byte offset
	VPCOMPRESSD Z1, K2, Z1
	VMOVDQU32 Z1, Q_OFF(BX)(R8*4)
	KMOVW K2, DX
	POPCNTL DX, DX
	ADDQ DX, R8
	CMPQ R8, $16
	JGE flush

next:
	ADDQ $16, CX
	ADDQ $64, R11
	CMPQ CX, SI
	JLT chunk

rowdone:
	INCQ R12
	JMP row

done:
	TESTQ R8, R8
	JZ finish

	// The first min(R8, 16) queued lanes: the rest of compat.
flush:
	MOVQ $0xffff, DX
	CMPQ R8, $16
	JGE full
	MOVQ R8, CX // CX is restored below, or the rows are done
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
full:
	KMOVW DX, K6

	// d1 = distTab[index]
	VMOVDQU32 Q_IDX(BX), Z6
	KMOVW K6, K2
	VPXORD Z9, Z9, Z9
	VGATHERDPS (R13)(Z6*4), K2, Z9

	// d2 = angleCompat(angleDiff32(wrap32(ad[i]-ad[j]), wrap32(bd[i]-bd[j])))
	VMOVUPS Q_ADI(BX), Z1
	VMOVUPS Q_BDI(BX), Z7
	VMOVUPS Q_ADJ(BX), Z10
	VSUBPS Z10, Z1, Z10
	WRAP(Z10)
	VMOVUPS Q_BDJ(BX), Z11
	VSUBPS Z11, Z7, Z11
	WRAP(Z11)
	VSUBPS Z11, Z10, Z10
	ANGLEDIFF(Z10)
	ANGLEIDX(Z10)
	KMOVW K6, K2
	VPXORD Z12, Z12, Z12
	VGATHERDPS (R14)(Z10*4), K2, Z12

	// d3 = angleCompat(angleDiff32(wrap32(ad[i]-ra), wrap32(bd[i]-rb)))
	VMOVUPS Q_DXA(BX), Z2
	VMOVUPS Q_DYA(BX), Z3
	VMOVUPS Q_DXB(BX), Z4
	VMOVUPS Q_DYB(BX), Z5
	ATAN2F(Z3, Z2, Z10, Z13, Z14)
	VSUBPS Z10, Z1, Z10
	WRAP(Z10)
	ATAN2F(Z5, Z4, Z11, Z13, Z14)
	VSUBPS Z11, Z7, Z11
	WRAP(Z11)
	VSUBPS Z11, Z10, Z10
	ANGLEDIFF(Z10)
	ANGLEIDX(Z10)
	KMOVW K6, K2
	VPXORD Z15, Z15, Z15
	VGATHERDPS (R14)(Z10*4), K2, Z15

	// r = d1 * d2 * d3; the lanes not zero go to ρ[i][j] and ρ[j][i]
	// (nz is worked out from ρ when all rows are done).
	VMULPS Z12, Z9, Z9
	VMULPS Z15, Z9, Z9
	VCMPPS $4, Z31, Z9, K6, K5
	KMOVW K5, K7
	VMOVDQU32 Q_OFF(BX), Z6
	VSCATTERDPS Z9, K5, (DI)(Z6*1)
	// ρ[j][i]'s offset from ρ[i][j]'s, i·256 + j·4: (j·4 & 255)·64 + i·4.
	VPSLLD $24, Z6, Z7
	VPSRLD $18, Z7, Z7
	VPSRLD $8, Z6, Z8
	VPSLLD $2, Z8, Z8
	VPORD Z8, Z7, Z7
	VSCATTERDPS Z9, K7, (DI)(Z7*1)
scattered:
	CMPQ R8, $16
	JLT finish // the last, partial flush
	QMOVE(Q_DXA)
	QMOVE(Q_DYA)
	QMOVE(Q_DXB)
	QMOVE(Q_DYB)
	QMOVE(Q_IDX)
	QMOVE(Q_ADI)
	QMOVE(Q_BDI)
	QMOVE(Q_ADJ)
	QMOVE(Q_BDJ)
	QMOVE(Q_OFF)
	SUBQ $16, R8
	CMPQ R12, SI
	JGE done // rows done: flush what is left
	MOVQ CX, R11
	SHLQ $2, R11
	JMP next

finish:
	// nz[i]: the lanes of row i that are not zero.
	MOVQ SI, R10
	ADDQ $15, R10
	SHRQ $4, R10                     // chunks a row
	XORQ R12, R12
nzrow:
	CMPQ R12, SI
	JGE nzdone
	MOVQ R12, AX
	SHLQ $8, AX
	ADDQ DI, AX                      // row i
	XORQ DX, DX                      // its mask
	XORQ CX, CX                      // chunk
nzchunk:
	MOVQ CX, R11
	SHLQ $6, R11
	VMOVUPS (AX)(R11*1), Z9
	VCMPPS $4, Z31, Z9, K5
	KMOVW K5, R11
	MOVQ CX, R15
	SHLQ $4, R15
	SHLXQ R15, R11, R11
	ORQ R11, DX
	INCQ CX
	CMPQ CX, R10
	JLT nzchunk
	MOVQ DX, (R9)(R12*8)
	INCQ R12
	JMP nzrow
nzdone:
	VZEROUPPER
	RET

// func relaxIterAVX512(rho *[relaxMax][relaxMax]float32, lam *[relaxMax]float32, n, iters int, w, w1, n1 float32)
//
// iters rounds of lam[i] = w*lam[i] + (w1*s)/n1 with s = Σj rho[j][i]*lam[j]
// (rho symmetric, zero where pairs are incompatible), 16 rows i at a
// time. s accumulates in ascending j, one multiply then one add as the Go
// loop does, so adding the zero terms it skips changes nothing and the
// result is bit-identical.
TEXT ·relaxIterAVX512(SB), NOSPLIT, $0-44
	MOVQ rho+0(FP), DI
	MOVQ lam+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ iters+24(FP), R8
	VBROADCASTSS w+32(FP), Z28
	VBROADCASTSS w1+36(FP), Z29
	VBROADCASTSS n1+40(FP), Z30
	MOVQ CX, R9
	ADDQ $15, R9
	SHRQ $4, R9 // chunks of 16 rows
	TESTQ CX, CX
	JZ iterdone
	TESTQ R8, R8
	JZ iterdone

iter:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ DI, AX // row j of rho
	XORQ DX, DX // j
jloop:
	VBROADCASTSS (SI)(DX*4), Z4
	VMULPS (AX), Z4, Z5
	VADDPS Z5, Z0, Z0
	CMPQ R9, $1
	JEQ jnext
	VMULPS 64(AX), Z4, Z5
	VADDPS Z5, Z1, Z1
	CMPQ R9, $2
	JEQ jnext
	VMULPS 128(AX), Z4, Z5
	VADDPS Z5, Z2, Z2
	CMPQ R9, $3
	JEQ jnext
	VMULPS 192(AX), Z4, Z5
	VADDPS Z5, Z3, Z3
jnext:
	ADDQ $256, AX
	INCQ DX
	CMPQ DX, CX
	JLT jloop

	// lam = w*lam + (w1*s)/n1, chunk by chunk.
	VMULPS (SI), Z28, Z6
	VMULPS Z0, Z29, Z7
	VDIVPS Z30, Z7, Z7
	VADDPS Z7, Z6, Z6
	VMOVUPS Z6, (SI)
	CMPQ R9, $1
	JEQ iternext
	VMULPS 64(SI), Z28, Z6
	VMULPS Z1, Z29, Z7
	VDIVPS Z30, Z7, Z7
	VADDPS Z7, Z6, Z6
	VMOVUPS Z6, 64(SI)
	CMPQ R9, $2
	JEQ iternext
	VMULPS 128(SI), Z28, Z6
	VMULPS Z2, Z29, Z7
	VDIVPS Z30, Z7, Z7
	VADDPS Z7, Z6, Z6
	VMOVUPS Z6, 128(SI)
	CMPQ R9, $3
	JEQ iternext
	VMULPS 192(SI), Z28, Z6
	VMULPS Z3, Z29, Z7
	VDIVPS Z30, Z7, Z7
	VADDPS Z7, Z6, Z6
	VMOVUPS Z6, 192(SI)
iternext:
	DECQ R8
	JNZ iter
iterdone:
	VZEROUPPER
	RET
