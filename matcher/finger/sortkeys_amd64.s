#include "textflag.h"

// func sortKeysAVX512(v *uint64, n int, flip uint64)
//
// Sorts the n ≤ 64 distinct keys v[:n] in place, ascending in k XOR flip
// (flip = all ones sorts descending): a counting sort by comparisons.
// Each key's place is how many keys come before it, counted for eight
// keys at once against one broadcast key: n²/8 compares, no branch on
// the data. Only v[:n] is read or written (masked loads and scatter).

// LANES sets K1 to the lanes of register r that hold keys (below n).
#define LANES(r) \
	MOVQ CX, AX; \
	SUBQ $(8*r), AX; \
	CMOVQLT R10, AX; \
	CMPQ AX, $8; \
	CMOVQGT R11, AX; \
	BZHIQ AX, R12, AX; \
	KMOVB AX, K1

// LOADK loads the eight keys of v from lane 8*r into ZV as stored and
// into ZK flipped; ZK's lanes past n hold the largest key, so they are
// never counted before a real one.
#define LOADK(r, ZK, ZV) \
	LANES(r); \
	VMOVDQU64.Z (8*8*r)(SI), K1, ZV; \
	VMOVDQA64 Z31, ZK; \
	VPXORQ Z30, ZV, K1, ZK

// STEP counts in ZC the lanes of ZK above the broadcast key Z29.
#define STEP(ZK, ZC) \
	VPCMPUQ $6, Z29, ZK, K1; \
	VPADDQ Z28, ZC, K1, ZC

// BCAST broadcasts key DX, flipped, to Z29.
#define BCAST \
	VPBROADCASTQ (SI)(DX*8), Z29; \
	VPXORQ Z30, Z29, Z29

// STEP4 counts for the four key registers from r on (Z0+r…, counts Z8+r…).
#define STEP4(K0, K1_, K2, K3, C0, C1, C2, C3) \
	STEP(K0, C0); \
	STEP(K1_, C1); \
	STEP(K2, C2); \
	STEP(K3, C3)

// STORE scatters the keys ZV of register r on to their places ZC.
#define STORE(r, ZV, ZC) \
	LANES(r); \
	VPSCATTERQQ ZV, K1, (SI)(ZC*8)

TEXT ·sortKeysAVX512(SB), NOSPLIT, $0-24
	MOVQ v+0(FP), SI
	MOVQ n+8(FP), CX
	VPBROADCASTQ flip+16(FP), Z30
	XORQ R10, R10                    // 0
	MOVQ $8, R11                     // 8
	MOVQ $0xff, R12                  // lane masks
	VPTERNLOGQ $0xff, Z31, Z31, Z31  // the largest key
	MOVQ $1, AX
	VPBROADCASTQ AX, Z28             // ones
	LOADK(0, Z0, Z16)
	LOADK(1, Z1, Z17)
	LOADK(2, Z2, Z18)
	LOADK(3, Z3, Z19)
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	XORQ DX, DX
	CMPQ CX, $32
	JG wide
	// Up to 32 keys: four registers.
loop4:
	CMPQ DX, CX
	JGE done4
	BCAST
	STEP4(Z0, Z1, Z2, Z3, Z8, Z9, Z10, Z11)
	INCQ DX
	JMP loop4

wide:
	LOADK(4, Z4, Z20)
	LOADK(5, Z5, Z21)
	LOADK(6, Z6, Z22)
	LOADK(7, Z7, Z23)
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
loop8:
	CMPQ DX, CX
	JGE done8
	BCAST
	STEP4(Z0, Z1, Z2, Z3, Z8, Z9, Z10, Z11)
	STEP4(Z4, Z5, Z6, Z7, Z12, Z13, Z14, Z15)
	INCQ DX
	JMP loop8
done8:
	STORE(4, Z20, Z12)
	STORE(5, Z21, Z13)
	STORE(6, Z22, Z14)
	STORE(7, Z23, Z15)
done4:
	STORE(0, Z16, Z8)
	STORE(1, Z17, Z9)
	STORE(2, Z18, Z10)
	STORE(3, Z19, Z11)
	VZEROUPPER
	RET
