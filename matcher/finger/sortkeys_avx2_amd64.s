#include "textflag.h"

// COUNT(t, c): c -= (t > Y8) for one register of target keys (signed
// 64-bit lanes; Y8 the broadcast key); clobbers Y9.
#define COUNT(t, c) \
	VPCMPGTQ Y8, t, Y9; \
	VPSUBQ Y9, c, c

// func sortKeysAVX2(v *uint64, n int, flip uint64, tmp *uint64)
//
// sortKeysAVX512 on AVX2: the same counting sort by comparisons (each of
// the n ≤ 64 distinct keys' place is how many keys come before it), 16
// keys at a time against one broadcast key, no branch on the data.
// AVX2 compares 64-bit lanes signed only, so the keys are compared as
// k XOR flip XOR 1<<63, copied to tmp (64 entries); with no scatter,
// the keys go to their places by scalar stores. Only v[:n] is read or
// written.
TEXT ·sortKeysAVX2(SB), NOSPLIT, $128-32
	MOVQ v+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ flip+16(FP), R8
	MOVQ tmp+24(FP), DI
	MOVQ $0x8000000000000000, AX
	XORQ AX, R8 // flip and the sign bit

	XORQ DX, DX
copy:
	CMPQ DX, CX
	JGE copied
	MOVQ (SI)(DX*8), AX
	XORQ R8, AX
	MOVQ AX, (DI)(DX*8)
	INCQ DX
	JMP copy
copied:

	XORQ R9, R9 // first target key of the group
group:
	CMPQ R9, CX
	JGE done
	VMOVDQU 0(DI)(R9*8), Y0
	VMOVDQU 32(DI)(R9*8), Y1
	VMOVDQU 64(DI)(R9*8), Y2
	VMOVDQU 96(DI)(R9*8), Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	XORQ DX, DX
keys:
	VPBROADCASTQ (DI)(DX*8), Y8
	COUNT(Y0, Y4)
	COUNT(Y1, Y5)
	COUNT(Y2, Y6)
	COUNT(Y3, Y7)
	INCQ DX
	CMPQ DX, CX
	JLT keys
	// The group's places to the frame, then its keys to them.
	VMOVDQU Y4, 0(SP)
	VMOVDQU Y5, 32(SP)
	VMOVDQU Y6, 64(SP)
	VMOVDQU Y7, 96(SP)
	XORQ DX, DX
place:
	LEAQ (R9)(DX*1), R10
	CMPQ R10, CX
	JGE placed
	MOVQ (SP)(DX*8), R11
	MOVQ (DI)(R10*8), AX
	XORQ R8, AX
	MOVQ AX, (SI)(R11*8)
	INCQ DX
	CMPQ DX, $16
	JLT place
placed:
	ADDQ $16, R9
	JMP group
done:
	VZEROUPPER
	RET
