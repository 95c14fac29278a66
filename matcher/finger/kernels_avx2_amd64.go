package finger

import (
	"math"

	"golang.org/x/sys/cpu"
)

// AVX2 kernels, for the CPUs without AVX-512 VPOPCNTQ (most Intel client
// parts): the same results as the AVX-512 ones and the portable code, bit
// for bit. They use AVX2 alone (no FMA: a fused multiply-add would round
// differently from the Go code).

// hasAVX2 reports whether the CPU can run the AVX2 kernels.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT

// simRowAVX2 is the row kernel for AVX2: the blocks whose bit is set
// (of at most 8), constants as rowConstsAVX2.
//
//go:noescape
func simRowAVX2(aLane *uint64, nvA, dirA float32, blk *cylBlock, blocks uint64, thr float32, out *float32, consts *uint32, rowMax *float32) uint64

// geRowsAVX2 is geMasks and countGE for AVX2: for the first n rows,
// masks[i] = nz[i] ∩ {l : rows[i][l] ≥ t}, and the count of all those
// lanes; constants as rowConstsAVX2.
//
//go:noescape
func geRowsAVX2(rows *float32, n int, t float32, nz, masks *uint64, consts *uint32) int

// rowConstsAVX2 are simRowAVX2's constants, eight lanes each (offsets
// fixed in simrow_avx2_amd64.s): rowConsts' float32s (the roundings of
// localSim and dirCompatible), the low-nibble mask and the nibble
// popcount table of the byte popcount, zero for VPSADBW, and the VPERMD
// indices that put the two halves' counts in lane order and those that
// put geRowsAVX2's packed bytes in order.
var rowConstsAVX2 = func() (c [11][8]uint32) {
	for k := range 6 {
		for l := range 8 {
			c[k][l] = math.Float32bits(rowConsts[k])
		}
	}
	for l := range 8 {
		c[6][l] = 0x0f0f0f0f
	}
	// Popcounts of 0–15, repeated in both 128-bit lanes (VPSHUFB looks
	// up within each).
	for l := range 8 {
		c[7][l] = [4]uint32{0x02010100, 0x03020201, 0x03020201, 0x04030302}[l%4]
	}
	c[9] = [8]uint32{0, 2, 4, 6, 1, 3, 5, 7}
	c[10] = [8]uint32{0, 4, 1, 5, 2, 6, 3, 7}
	return c
}()

// setRowAVX2 installs the AVX2 row kernel, geMasks and countGE.
func setRowAVX2() {
	rowKernel = func(a *Prepared, i int, blk []cylBlock, blocks uint8, thr float32, out *[64]float32) (uint64, float32) {
		if len(blk) == 0 {
			return 0, 0
		}
		var best float32
		q := a.slot[i]
		mask := simRowAVX2(&a.blk[q/8].Valid[q%8], float32(a.pos[i].NV), a.pos[i].Dir, &blk[0], uint64(blocks)&(1<<min(len(blk), 8)-1), thr, &out[0], &rowConstsAVX2[0][0], &best)
		return mask, best
	}
	geMasks = func(rows *[64][64]float32, n int, t float32, masks *[64]uint64) {
		geRowsAVX2(&rows[0][0], n, t, &masks[0], &masks[0], &rowConstsAVX2[0][0])
	}
	countGE = func(rows *[64][64]float32, n int, t float32, nz *[64]uint64) int {
		var m [64]uint64
		return geRowsAVX2(&rows[0][0], n, t, &nz[0], &m[0], &rowConstsAVX2[0][0])
	}
}

// relaxCompatAVX2 is relaxKernel for AVX2: 8 pairs j at a time, those
// within distance tolerance queued for their angles.
//
//go:noescape
func relaxCompatAVX2(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64, consts *uint32, distTab, angleTab *float32, compress *uint64)

// compressLanes[m] lists the set bits of m ascending, one byte each, the
// rest zero: the VPERMD indices that pack the lanes of mask m first (AVX2
// has no VCOMPRESSPS).
var compressLanes = func() (t [256]uint64) {
	for m := range t {
		k := 0
		for l := range 8 {
			if m&(1<<l) != 0 {
				t[m] |= uint64(l) << (8 * k)
				k++
			}
		}
	}
	return t
}()

// relaxIterAVX2 is relaxRounds for AVX2.
//
//go:noescape
func relaxIterAVX2(rho *[relaxMax][relaxMax]float32, lam *[relaxMax]float32, n, iters int, w, w1, n1 float32)

// relaxConstsAVX2 are relaxConsts eight lanes each (offsets fixed in
// relax_avx2_amd64.s), then the lane numbers 0–7 and -1.
var relaxConstsAVX2 = func() (c [17][8]uint32) {
	for k := range 15 {
		for l := range 8 {
			c[k][l] = relaxConsts[k]
		}
	}
	for l := range 8 {
		c[15][l] = uint32(l)
		c[16][l] = math.MaxUint32
	}
	return c
}()

// setRelaxAVX2 installs the AVX2 relaxation kernels.
func setRelaxAVX2() {
	relaxKernel = func(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64) {
		relaxCompatAVX2(in, min(n, relaxMax), rho, nz, &relaxConstsAVX2[0][0], &distTab[0], &angleTab[0], &compressLanes[0])
	}
	relaxRounds = func(rho *[relaxMax][relaxMax]float32, lam *[relaxMax]float32, n int) {
		relaxIterAVX2(rho, lam, min(n, relaxMax), relaxIters, relaxW, 1-relaxW, float32(n-1))
	}
}

// consPairsAVX2 is consKernel for AVX2.
//
//go:noescape
func consPairsAVX2(in *consIn, nb int, ar *consArea, out *uint64, max int, consts *uint32, compress *uint64) int

// areaCountAVX2 is areaKernel for AVX2.
//
//go:noescape
func areaCountAVX2(xs, ys *float32, n int, hull *edgeLine, nh int, w, h, neg float32, consts *uint32) int

// consConstsAVX2 are consConsts eight lanes each (offsets fixed in
// conspairs_avx2_amd64.s): consTol², cos(consAng), the lane numbers 0–7
// and 1.
var consConstsAVX2 = func() (c [4][8]uint32) {
	for l := range 8 {
		c[0][l], c[1][l], c[2][l], c[3][l] = consConsts[0], consConsts[1], uint32(l), 1
	}
	return c
}()

// compressQuads[m] are the VPERMD indices, one byte each, that move the
// 64-bit lanes of the 4-bit mask m first, in order (AVX2 has no
// VPCOMPRESSQ).
var compressQuads = func() (t [16]uint64) {
	for m := range t {
		k := 0
		for q := range 4 {
			if m&(1<<q) != 0 {
				t[m] |= uint64(2*q)<<(8*k) | uint64(2*q+1)<<(8*k+8)
				k += 2
			}
		}
	}
	return t
}()

// setConsAVX2 installs the AVX2 consolidation kernels.
func setConsAVX2() {
	areaKernel = func(p *Prepared, xs, ys *[maxConsMin]float32, n int) int {
		var hull *edgeLine
		if len(p.hull) > 0 {
			hull = &p.hull[0]
		}
		return areaCountAVX2(&xs[0], &ys[0], n, hull, len(p.hull), p.w, p.h, -consMargin, &consConstsAVX2[0][0])
	}
	consKernel = func(in *consIn, nb int, a *consArea, out *[consOut]uint64) int {
		return consPairsAVX2(in, nb, a, &out[0], consCap, &consConstsAVX2[0][0], &compressQuads[0])
	}
}

// sortKeysAVX2 is sortKernel for AVX2; tmp holds maxSortKernel keys.
//
//go:noescape
func sortKeysAVX2(v *uint64, n int, flip uint64, tmp *uint64)

// setSortAVX2 installs the AVX2 sort kernel.
func setSortAVX2() {
	sortKernel = func(v []uint64, flip uint64) {
		if len(v) > 0 {
			var tmp [maxSortKernel]uint64
			sortKeysAVX2(&v[0], min(len(v), maxSortKernel), flip, &tmp[0])
		}
	}
}
