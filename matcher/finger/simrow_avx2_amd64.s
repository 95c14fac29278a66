#include "textflag.h"

// Constants (rowConstsAVX2), byte offsets: eight lanes each.
#define K_MINCOMMON 0
#define K_ONE 32
#define K_ABS 64
#define K_PI 96
#define K_TWOPI 128
#define K_HALFPI 160
#define K_NIBBLE 192
#define K_LUT 224
#define K_ZERO 256
#define K_PERM 288
#define K_GEPERM 320

// Registers of simRowAVX2's loop: Y15 the nibble popcount table, Y14 the
// low-nibble mask, Y13 the running maximum; Y9–Y12 nc, na, nb, nx of the
// block (lanes 0–3 from the first half, 4–7 from the second); Y0 the
// common cells, Y1–Y3 the byte counts of na, nb, nx for one half; Y4–Y8
// scratch.

// POPACC(x, acc) adds the popcount of each byte of x to the bytes of acc
// (Muła's nibble lookup, no VPOPCNTQ on AVX2); clobbers x and Y7.
#define POPACC(x, acc) \
	VPAND Y14, x, Y7; \
	VPSHUFB Y7, Y15, Y7; \
	VPADDB Y7, acc, acc; \
	VPSRLW $4, x, x; \
	VPAND Y14, x, x; \
	VPSHUFB x, Y15, x; \
	VPADDB x, acc, acc

// LAYER(aoff, boff) adds one direction layer's byte counts to Y1 (na),
// Y2 (nb) and Y3 (nx): aoff(AX) is the probe's layer, boff(BX) the four
// lanes' of the half.
#define LAYER(aoff, boff) \
	VPBROADCASTQ aoff(AX), Y4; \
	VPAND Y0, Y4, Y4; \
	VPAND boff(BX), Y0, Y5; \
	VPXOR Y4, Y5, Y6; \
	POPACC(Y4, Y1); \
	POPACC(Y5, Y2); \
	POPACC(Y6, Y3)

// HALF(h) counts the four lanes at byte offset h of each word row of the
// block: nc's byte counts into Y8, na, nb, nx's into Y1–Y3 (at most 48 per
// byte: no overflow).
#define HALF(h) \
	VPBROADCASTQ 0(AX), Y0; \
	VPAND h(BX), Y0, Y0; \
	VPAND Y14, Y0, Y7; \
	VPSHUFB Y7, Y15, Y8; \
	VPSRLW $4, Y0, Y7; \
	VPAND Y14, Y7, Y7; \
	VPSHUFB Y7, Y15, Y7; \
	VPADDB Y7, Y8, Y8; \
	VPXOR Y1, Y1, Y1; \
	VPXOR Y2, Y2, Y2; \
	VPXOR Y3, Y3, Y3; \
	LAYER(64, 64+h); \
	LAYER(128, 128+h); \
	LAYER(192, 192+h); \
	LAYER(256, 256+h); \
	LAYER(320, 320+h); \
	LAYER(384, 384+h)

// func simRowAVX2(aLane *uint64, nvA, dirA float32, blk *cylBlock, blocks uint64, thr float32, out *float32, consts *uint32, rowMax *float32) uint64
//
// simRowAVX512 on AVX2, the same blocks (those whose bit is set in
// blocks) and per-lane arithmetic (see there): a block's eight 64-bit lanes are two halves of four; each half's counts
// are summed per byte and then per lane (VPSADBW), the second half's
// moved to the upper 32 bits of each lane, and VPERMD puts the eight
// counts in lane order as int32. The float32 operations are those of the
// Go code, in the same order, so the results are bit-identical. The
// direction test comes first, kept at 0(SP) for the end.
TEXT ·simRowAVX2(SB), NOSPLIT, $32-72
	MOVQ aLane+0(FP), AX
	MOVQ blocks+24(FP), SI
	MOVQ blk+16(FP), R9
	MOVQ out+40(FP), R12
	MOVQ consts+48(FP), R10

	VMOVDQU K_LUT(R10), Y15
	VMOVDQU K_NIBBLE(R10), Y14
	VXORPS Y13, Y13, Y13 // running maximum

	XORQ R8, R8 // result mask
	TESTQ SI, SI
	JZ max

loop:
	BSFQ SI, CX     // block g
	LEAQ -1(SI), DX
	ANDQ DX, SI
	MOVQ CX, BX
	SHLQ $9, BX
	ADDQ R9, BX     // its cylinders
	MOVQ CX, DI
	SHLQ $5, DI
	ADDQ R12, DI    // its similarities
	SHLQ $3, CX     // its first lane

	// The direction test first: a half whose four lanes all fail it
	// (12–18% on FVC sets) skips its popcounts, with zero counts.
	VBROADCASTSS dirA+12(FP), Y4
	VSUBPS 480(BX), Y4, Y4    // a.Dir - b.Dir
	VANDPS K_ABS(R10), Y4, Y4 // |d|
	VCMPPS $14, K_PI(R10), Y4, Y5 // d > π (GT_OS)
	VMOVUPS K_TWOPI(R10), Y6
	VSUBPS Y4, Y6, Y6         // 2π - d
	VBLENDVPS Y5, Y6, Y4, Y4  // where d > π
	VCMPPS $2, K_HALFPI(R10), Y4, Y5 // d <= π/2 (LE_OS)
	VMOVUPS Y5, 0(SP)
	VMOVMSKPS Y5, R11

	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	VPXOR Y12, Y12, Y12
	TESTL $0x0f, R11
	JZ half1
	HALF(0)
	VPSADBW K_ZERO(R10), Y8, Y9
	VPSADBW K_ZERO(R10), Y1, Y10
	VPSADBW K_ZERO(R10), Y2, Y11
	VPSADBW K_ZERO(R10), Y3, Y12

half1:
	TESTL $0xf0, R11
	JZ counted
	HALF(32)
	VPSADBW K_ZERO(R10), Y8, Y8
	VPSLLQ $32, Y8, Y8
	VPOR Y8, Y9, Y9
	VPSADBW K_ZERO(R10), Y1, Y1
	VPSLLQ $32, Y1, Y1
	VPOR Y1, Y10, Y10
	VPSADBW K_ZERO(R10), Y2, Y2
	VPSLLQ $32, Y2, Y2
	VPOR Y2, Y11, Y11
	VPSADBW K_ZERO(R10), Y3, Y3
	VPSLLQ $32, Y3, Y3
	VPOR Y3, Y12, Y12

counted:
	// int32 lanes 0,4,1,5,2,6,3,7 to 0–7, then to float32.
	VMOVDQU K_PERM(R10), Y0
	VPERMD Y9, Y0, Y9
	VPERMD Y10, Y0, Y10
	VPERMD Y11, Y0, Y11
	VPERMD Y12, Y0, Y12
	VCVTDQ2PS Y9, Y9   // nc
	VCVTDQ2PS Y10, Y10 // na
	VCVTDQ2PS Y11, Y11 // nb
	VCVTDQ2PS Y12, Y12 // nx

	VBROADCASTSS nvA+8(FP), Y0
	VADDPS 448(BX), Y0, Y0          // a.NV + b.NV
	VSUBPS Y9, Y0, Y0               // - nc
	VMULPS K_MINCOMMON(R10), Y0, Y0 // * minCommon
	VCMPPS $13, Y0, Y9, Y1          // ok: nc >= that (GE_OS)

	VSQRTPS Y10, Y10
	VSQRTPS Y11, Y11
	VSQRTPS Y12, Y12
	VADDPS Y11, Y10, Y2 // den
	VXORPS Y3, Y3, Y3
	VCMPPS $4, Y3, Y2, Y3 // den != 0 (NEQ_UQ)
	VANDPS Y3, Y1, Y1
	VDIVPS Y2, Y12, Y2 // √nx / den
	VMOVUPS K_ONE(R10), Y3
	VSUBPS Y2, Y3, Y2  // s = 1 - that

	VANDPS 0(SP), Y1, Y1      // direction

	VANDPS Y1, Y2, Y2 // zero where not ok
	VMOVUPS Y2, (DI)
	VMAXPS Y2, Y13, Y13
	VXORPS Y3, Y3, Y3
	VCMPPS $14, Y3, Y2, Y5 // s > 0
	VBROADCASTSS thr+32(FP), Y6
	VCMPPS $13, Y6, Y2, Y6 // s >= thr
	VANDPS Y6, Y5, Y5
	VMOVMSKPS Y5, DX
	SHLQ CX, DX
	ORQ DX, R8
	TESTQ SI, SI
	JNZ loop

max:

	VEXTRACTF128 $1, Y13, X0
	VMAXPS X0, X13, X13
	VPERMILPS $0x4e, X13, X0
	VMAXPS X0, X13, X13
	VPERMILPS $0xb1, X13, X0
	VMAXPS X0, X13, X13
	MOVQ rowMax+56(FP), AX
	VMOVSS X13, (AX)
	MOVQ R8, ret+64(FP)
	VZEROUPPER
	RET

// GE32(off, r) sets the low 32 bits of r to the mask of the 32 lanes at
// off(SI) at least t (Y1), zeroing the rest; Y0 holds K_GEPERM, Y2–Y5
// are scratch. The compare results (-1 or 0) are packed to bytes, which
// the in-lane packs leave in groups of four out of order, and VPERMD puts
// the groups back before VPMOVMSKB.
#define GE32(off, r) \
	VCMPPS $2, off(SI), Y1, Y2; \
	VCMPPS $2, off+32(SI), Y1, Y3; \
	VCMPPS $2, off+64(SI), Y1, Y4; \
	VCMPPS $2, off+96(SI), Y1, Y5; \
	VPACKSSDW Y3, Y2, Y2; \
	VPACKSSDW Y5, Y4, Y4; \
	VPACKSSWB Y4, Y2, Y2; \
	VPERMD Y2, Y0, Y2; \
	VPMOVMSKB Y2, r

// func geRowsAVX2(rows *float32, n int, t float32, nz, masks *uint64, consts *uint32) int
//
// For the first n rows: masks[i] = nz[i] ∩ {l : rows[i][l] ≥ t}; returns
// the number of lanes set in all of them. geMasks passes masks as nz,
// countGE a scratch array.
TEXT ·geRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ rows+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS t+16(FP), Y1
	MOVQ nz+24(FP), DI
	MOVQ masks+32(FP), R9
	MOVQ consts+40(FP), R10
	VMOVDQU K_GEPERM(R10), Y0
	XORQ R8, R8
	TESTQ CX, CX
	JZ gedone
geloop:
	GE32(0, AX)
	GE32(128, DX)
	SHLQ $32, DX
	ORQ DX, AX
	ANDQ (DI), AX
	MOVQ AX, (R9)
	POPCNTQ AX, AX
	ADDQ AX, R8
	ADDQ $256, SI
	ADDQ $8, DI
	ADDQ $8, R9
	DECQ CX
	JNZ geloop
gedone:
	MOVQ R8, ret+48(FP)
	VZEROUPPER
	RET
