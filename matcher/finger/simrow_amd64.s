#include "textflag.h"

// LAYER(a, off) adds one direction layer's counts to Z4 (na), Z5 (nb)
// and Z7 (nx): a holds the probe's layer, off(BX) the block's, Z0 the
// common cells.
#define LAYER(a, off) \
	VPANDQ a, Z0, Z2; \
	VPANDQ off(BX), Z0, Z3; \
	VPOPCNTQ Z2, Z8; \
	VPOPCNTQ Z3, Z9; \
	VPXORQ Z2, Z3, Z6; \
	VPOPCNTQ Z6, Z10; \
	VPADDQ Z8, Z4, Z4; \
	VPADDQ Z9, Z5, Z5; \
	VPADDQ Z10, Z7, Z7

// func simRowAVX512(aLane *uint64, nvA, dirA float32, blk *cylBlock, blocks uint64, thr float32, out *float32, consts *float32, rowMax *float32) uint64
//
// aLane is the probe cylinder's lane in its own block: its Valid word,
// then its bit layers 64 bytes apart. Only the blocks g whose bit is set
// in blocks are compared (out's lanes of the others are left as they
// are, their mask bits clear).
//
// Lane l of block g goes to out[8g+l] and bit 8g+l; per lane, as
// localSim and dirCompatible:
//   common = a.Valid & b.Valid, nc = |common|
//   ok = nc >= minCommon*(a.NV + b.NV - nc)
//   na, nb, nx = Σk |a.Bits[k]&common|, |b.Bits[k]&common|, |(a^b)&common|
//   den = √na + √nb, ok &= den != 0, s = 1 - √nx/den
//   d = |a.Dir - b.Dir|, d = 2π - d if d > π, ok &= d <= π/2
// The float32 operations are those of the Go code, in the same order, so
// the results are bit-identical. *rowMax gets the largest similarity.
TEXT ·simRowAVX512(SB), NOSPLIT, $0-72
	MOVQ aLane+0(FP), AX
	MOVQ blk+16(FP), BX
	MOVQ blocks+24(FP), SI
	MOVQ blk+16(FP), R11
	MOVQ out+40(FP), R12
	MOVQ consts+48(FP), R10

	VPBROADCASTQ 0(AX), Z16
	VPBROADCASTQ 64(AX), Z17
	VPBROADCASTQ 128(AX), Z18
	VPBROADCASTQ 192(AX), Z19
	VPBROADCASTQ 256(AX), Z20
	VPBROADCASTQ 320(AX), Z21
	VPBROADCASTQ 384(AX), Z22
	VBROADCASTSS nvA+8(FP), Y23
	VBROADCASTSS dirA+12(FP), Y24
	VXORPS Y25, Y25, Y25      // running maximum
	VBROADCASTSS 4(R10), Y26  // 1
	VBROADCASTSS 8(R10), Y27  // abs mask
	VBROADCASTSS 12(R10), Y28 // π
	VBROADCASTSS 16(R10), Y29 // 2π
	VBROADCASTSS 20(R10), Y30 // π/2
	VBROADCASTSS thr+32(FP), Y31
	VXORPS Y14, Y14, Y14

	XORQ R8, R8 // result mask
	TESTQ SI, SI
	JZ max

loop:
	BSFQ SI, CX                 // block g
	LEAQ -1(SI), R9
	ANDQ R9, SI
	MOVQ CX, BX
	SHLQ $9, BX
	ADDQ R11, BX                // its cylinders
	MOVQ CX, DI
	SHLQ $5, DI
	ADDQ R12, DI                // its similarities
	SHLQ $3, CX                 // its first lane
	VPANDQ (BX), Z16, Z0 // common
	VPOPCNTQ Z0, Z1      // nc

	VPANDQ Z17, Z0, Z2
	VPANDQ 64(BX), Z0, Z3
	VPOPCNTQ Z2, Z4 // na
	VPOPCNTQ Z3, Z5 // nb
	VPXORQ Z2, Z3, Z6
	VPOPCNTQ Z6, Z7 // nx

	LAYER(Z18, 128)
	LAYER(Z19, 192)
	LAYER(Z20, 256)
	LAYER(Z21, 320)
	LAYER(Z22, 384)

	VCVTQQ2PS Z1, Y8  // nc
	VCVTQQ2PS Z4, Y9  // na
	VCVTQQ2PS Z5, Y10 // nb
	VCVTQQ2PS Z7, Y11 // nx

	VADDPS 448(BX), Y23, Y12 // a.NV + b.NV
	VSUBPS Y8, Y12, Y12      // - nc
	VMULPS.BCST 0(R10), Y12, Y12 // * minCommon
	VCMPPS $13, Y12, Y8, K1  // nc >= that (GE_OS)

	VSQRTPS Y9, Y9
	VSQRTPS Y10, Y10
	VSQRTPS Y11, Y11
	VADDPS Y10, Y9, Y13         // den
	VCMPPS $4, Y14, Y13, K1, K2 // den != 0 (NEQ_UQ)
	VDIVPS Y13, Y11, Y15        // √nx / den
	VSUBPS Y15, Y26, Y15        // 1 - that

	VSUBPS 480(BX), Y24, Y0     // a.Dir - b.Dir
	VANDPS Y27, Y0, Y0          // |d|
	VCMPPS $14, Y28, Y0, K3     // d > π (GT_OS)
	VSUBPS Y0, Y29, Y1          // 2π - d
	VMOVAPS Y1, K3, Y0
	VCMPPS $2, Y30, Y0, K2, K2  // d <= π/2 (LE_OS)

	VMOVAPS.Z Y15, K2, Y15
	VMOVUPS Y15, (DI)
	VMAXPS Y15, Y25, Y25
	VCMPPS $14, Y14, Y15, K4    // s > 0
	VCMPPS $13, Y31, Y15, K4, K4 // s >= thr
	KMOVB K4, DX
	SHLQ CX, DX
	ORQ DX, R8

	TESTQ SI, SI
	JNZ loop

max:
	VEXTRACTF32X4 $1, Y25, X0
	VMAXPS X0, X25, X25
	VPERMILPS $0x4e, X25, X0
	VMAXPS X0, X25, X25
	VPERMILPS $0xb1, X25, X0
	VMAXPS X0, X25, X25
	MOVQ rowMax+56(FP), AX
	VMOVSS X25, (AX)
	MOVQ R8, ret+64(FP)
	VZEROUPPER
	RET

// func geMasksAVX512(rows *float32, n int, t float32, masks *uint64)
TEXT ·geMasksAVX512(SB), NOSPLIT, $0-32
	MOVQ rows+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS t+16(FP), Z1
	MOVQ masks+24(FP), DI
	TESTQ CX, CX
	JZ gedone
geloop:
	VCMPPS $2, (SI), Z1, K1
	VCMPPS $2, 64(SI), Z1, K2
	VCMPPS $2, 128(SI), Z1, K3
	VCMPPS $2, 192(SI), Z1, K4
	KUNPCKWD K1, K2, K1
	KUNPCKWD K3, K4, K3
	KUNPCKDQ K1, K3, K1
	KMOVQ K1, AX
	ANDQ AX, (DI)
	ADDQ $256, SI
	ADDQ $8, DI
	DECQ CX
	JNZ geloop
gedone:
	VZEROUPPER
	RET

// func countGEAVX512(rows *float32, n int, t float32, nz *uint64) int
//
// Σ over the first n rows of |nz[i] ∩ {l : rows[i][l] ≥ t}|.
TEXT ·countGEAVX512(SB), NOSPLIT, $0-40
	MOVQ rows+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS t+16(FP), Z1
	MOVQ nz+24(FP), DI
	XORQ R8, R8
	TESTQ CX, CX
	JZ cntdone
cntloop:
	VCMPPS $2, (SI), Z1, K1
	VCMPPS $2, 64(SI), Z1, K2
	VCMPPS $2, 128(SI), Z1, K3
	VCMPPS $2, 192(SI), Z1, K4
	KUNPCKWD K1, K2, K1
	KUNPCKWD K3, K4, K3
	KUNPCKDQ K1, K3, K1
	KMOVQ K1, AX
	ANDQ (DI), AX
	POPCNTQ AX, AX
	ADDQ AX, R8
	ADDQ $256, SI
	ADDQ $8, DI
	DECQ CX
	JNZ cntloop
cntdone:
	MOVQ R8, ret+32(FP)
	VZEROUPPER
	RET
