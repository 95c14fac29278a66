package finger

import (
	"math"
	"math/bits"
	"slices"
	"sync"
	"unsafe"
)

// cylBlock holds eight cylinders of a template lane by lane, so one
// vector instruction compares a probe cylinder with all eight: the
// layout the row kernel reads (offsets are fixed in simrow_amd64.s).
type cylBlock struct {
	Valid [8]uint64
	Bits  [cylNd][8]uint64
	NV    [8]float32
	Dir   [8]float32
}

// Offsets the assembly relies on; a change of layout fails to compile.
var (
	_ [0]struct{} = [unsafe.Offsetof(cylBlock{}.Bits) - 64]struct{}{}
	_ [0]struct{} = [unsafe.Offsetof(cylBlock{}.NV) - 448]struct{}{}
	_ [0]struct{} = [unsafe.Offsetof(cylBlock{}.Dir) - 480]struct{}{}
	_ [0]struct{} = [unsafe.Sizeof(cylBlock{}) - 512]struct{}{}
)

// blocks lays cs out eight to a block, in the given order (nil: as they
// are); the unused lanes of the last block have no valid cells, so they
// never pass the common-cells test.
func blocks(cs []cylinder, order []uint16) []cylBlock {
	out := make([]cylBlock, (len(cs)+7)/8)
	for q := range cs {
		c := &cs[q]
		if order != nil {
			c = &cs[order[q]]
		}
		b, l := &out[q/8], q%8
		b.Valid[l] = c.Valid
		for k := range cylNd {
			b.Bits[k][l] = c.Bits[k]
		}
		b.NV[l] = float32(c.NV)
		b.Dir[l] = c.Dir
	}
	return out
}

// saveKernels returns the function that puts back the kernels installed
// now.
func saveKernels() (restore func()) {
	r, g, c, x, y, p, q, s := rowKernel, geMasks, countGE, relaxKernel, relaxRounds, consKernel, areaKernel, sortKernel
	return func() {
		rowKernel, geMasks, countGE, relaxKernel, relaxRounds, consKernel, areaKernel, sortKernel = r, g, c, x, y, p, q, s
	}
}

// restoreKernels puts back the kernels init installed for this CPU.
var restoreKernels = sync.OnceValue(saveKernels)

// SetKernels switches the CPU-specific vector kernels of Compare and
// Search on or off (they are on wherever the CPU has them) and reports
// whether they were on. Scores are the same either way; the portable code
// is the baseline "station eval finger" measures the kernels against. It
// must not be called while comparisons run.
func SetKernels(on bool) (was bool) {
	restore := restoreKernels()
	was = rowKernel != nil || relaxKernel != nil
	if on {
		restore()
	} else {
		rowKernel, geMasks, countGE, relaxKernel, relaxRounds, consKernel, areaKernel, sortKernel = nil, nil, nil, nil, nil, nil, nil, nil
	}
	return was
}

// rowConsts are the float32 constants of localSim and dirCompatible, the
// same roundings Go applies to those expressions, so the kernel's scores
// are bit-identical to theirs.
var rowConsts = [6]float32{
	minCommon,
	1,
	math.Float32frombits(0x7fffffff),
	math.Pi,
	2 * math.Pi,
	math.Pi / 2,
}

// rowKernel, when not nil, computes the local similarities of cylinder i
// of a against the cylinders of the blocks g < 8 of blk whose bit is set
// in blocks into out[8g:8g+8], zero where the pair is not compatible
// (the other blocks' lanes are left as they are), and returns the bit
// mask of the lanes whose similarity is above zero and at least thr,
// and the largest similarity. Set by simrow_amd64.go where the CPU can
// run it.
var rowKernel func(a *Prepared, i int, blk []cylBlock, blocks uint8, thr float32, out *[64]float32) (uint64, float32)

// geMasks, set with rowKernel, clears in masks[i] the lanes of rows[i]
// below t, for the first n rows.
var geMasks func(rows *[64][64]float32, n int, t float32, masks *[64]uint64)

// simRowGo is the portable row kernel, localSim and dirCompatible lane
// by lane; tests hold the assembly to it.
func simRowGo(ap *Prepared, i int, blk []cylBlock, thr float32, out *[64]float32) (uint64, float32) {
	row := ap.cylinder(i)
	a := &row
	var mask uint64
	var best float32
	for g := range blk {
		b := &blk[g]
		for l := range 8 {
			var c cylinder
			c.Valid, c.NV, c.Dir = b.Valid[l], uint32(b.NV[l]), b.Dir[l]
			for k := range cylNd {
				c.Bits[k] = b.Bits[k][l]
			}
			var s float32
			if dirCompatible(a.Dir, c.Dir) {
				s = localSim(a, &c)
			}
			j := g*8 + l
			out[j] = s
			best = max(best, s)
			if s > 0 && s >= thr {
				mask |= 1 << j
			}
		}
	}
	return mask, best
}

// countGE, set with rowKernel, counts the entries of the first n rows that
// nz marks and that are at least t.
var countGE func(rows *[64][64]float32, n int, t float32, nz *[64]uint64) int

// countGEGo is the portable countGE.
func countGEGo(rows *[64][64]float32, n int, t float32, nz *[64]uint64) int {
	c := 0
	for i := range n {
		for m := nz[i]; m != 0; m &= m - 1 {
			if rows[i][bits.TrailingZeros64(m)] >= t {
				c++
			}
		}
	}
	return c
}

// geMasksGo is the portable geMasks.
func geMasksGo(rows *[64][64]float32, n int, t float32, masks *[64]uint64) {
	for i := range n {
		for l, s := range rows[i] {
			if s < t {
				masks[i] &^= 1 << l
			}
		}
	}
}

// simMatrix is the two-pass candidate search of topPairs for templates of
// at most 64 cylinders: the first pass computes every local similarity
// and each row's best; as the n-th best of the row bests is at most the
// n-th best similarity overall, the second pass only has to rank the
// similarities at or above it (a few dozen of ~2,000), where a single pass
// ranked every one that beat the list's rising entry bar. Row i is a's
// cylinder i, column q b's lane q (b.blk, direction order): rank maps
// lanes back to cylinders.
type simMatrix struct {
	sim  [64][64]float32
	nz   [64]uint64 // lanes with a similarity above zero
	best [64]float32
	// rank's working memory: the lanes at or above its bar (in m, not on
	// the stack: passed to a kernel through a func value, a local would
	// escape and be allocated every call), and their sort keys.
	masks [64]uint64
	keys  [64 * 64]uint64
	// bests is bar's row bests as sort keys.
	bests [64]uint64
}

// scratch is one comparison's working memory. Comparisons reuse it (a
// pool for Compare, one per Index.Search) rather than declare it: Go
// would zero its 22 KB every time, a fifth of a comparison, and every
// entry read is written first anyway.
type scratch struct {
	m   simMatrix
	in  relaxIn
	rho [relaxMax][relaxMax]float32
	nz  [relaxMax]uint64
	// cands holds the consolidation's candidate minutia pairs (the
	// kernel writes whole vectors past consCap); cin and area are its
	// kernel's input.
	cands [consOut]uint64
	cin   consIn
	area  consArea
	// areaX, areaY are points the consolidation counts in a finger's area.
	areaX, areaY [maxConsMin]float32
	// lam is the relaxation weights while the rounds' kernel runs (a
	// local passed to it would escape and be allocated every call).
	lam [relaxMax]float32
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// matrixFits reports whether the two-pass search applies to a and b.
func matrixFits(a, b *Prepared) bool {
	return rowKernel != nil && len(a.pos) <= 64 && len(b.pos) <= 64 && len(b.blk) == (len(b.pos)+7)/8 && len(b.byDir) == len(b.pos)
}

// fill runs the first pass over a's cylinders [r0, r1).
func (m *simMatrix) fill(a, b *Prepared, r0, r1 int) {
	for i := r0; i < r1; i++ {
		m.nz[i], m.best[i] = rowKernel(a, i, b.blk, b.dirBlocks[dirBucket(a.pos[i].Dir)], 0, &m.sim[i])
	}
}

// rank runs the second pass over rows [r0, r1) into the list top with
// entry bar t, and returns how many pairs it holds. The entries at or above
// the bar are gathered as sort keys, the similarity's bits over the
// complemented (i, j), so that one integer sort orders them as insertPair
// would: higher similarity first, ties in scan order (positive float32s
// order as their bits).
func (m *simMatrix) rank(r0, r1 int, t float32, top []pair, byDir []uint16) int {
	masks := &m.masks
	copy(masks[:r1], m.nz[:r1])
	if t > 0 {
		geMasks(&m.sim, r1, t, masks)
	}
	keys := m.keys[:0]
	for i := r0; i < r1; i++ {
		for mask := masks[i]; mask != 0; mask &= mask - 1 {
			q := bits.TrailingZeros64(mask)
			j := int(byDir[q])
			keys = append(keys, uint64(math.Float32bits(m.sim[i][q]))<<32|uint64(^uint32(i<<16|j)))
		}
	}
	k := min(len(keys), len(top))
	if len(keys) > k && (sortKernel == nil || len(keys) > maxSortKernel) {
		selectLargest(keys, k)
		keys = keys[:k]
	}
	if sortKernel != nil {
		sortKernel(keys, ^uint64(0))
	} else {
		// Insertion sort, descending: a few dozen keys.
		for a := 1; a < k; a++ {
			v, b := keys[a], a
			for ; b > 0 && keys[b-1] < v; b-- {
				keys[b] = keys[b-1]
			}
			keys[b] = v
		}
	}
	for n, v := range keys[:k] {
		ij := ^uint32(v)
		top[n] = pair{uint16(ij >> 16), uint16(ij), math.Float32frombits(uint32(v >> 32))}
	}
	return k
}

// bar is a lower bound of the n-th largest similarity in rows [r0, r1):
// the n-th largest row best (0 when there are fewer rows), raised by
// bisection on the count of entries at or above it while more than a few
// too many pass (with n = 48 the row bests let ~400 of ~1,200 through).
func (m *simMatrix) bar(r0, r1, n int) float32 {
	if n <= 0 || r1-r0 < n {
		return 0
	}
	var lo, top float32
	if sortKernel != nil {
		// Keys of the bits (positive float32s order as their bits) over
		// the row, distinct as sortKernel needs.
		bests := m.bests[:r1-r0]
		for i, b := range m.best[r0:r1] {
			bests[i] = uint64(math.Float32bits(b))<<32 | uint64(i)
		}
		sortKernel(bests, ^uint64(0))
		lo = math.Float32frombits(uint32(bests[n-1] >> 32))
		top = math.Float32frombits(uint32(bests[0] >> 32))
	} else {
		var v [64]float32
		c := copy(v[:], m.best[r0:r1])
		lo = nthLargest(v[:c], n)
		top = slices.Max(v[:c])
	}
	if countGE == nil || r0 != 0 || n < 8 {
		return lo
	}
	// Positive float32s order as their bits; hi passes fewer than n.
	hi := math.Nextafter32(top, 2)
	lb, hb := math.Float32bits(lo), math.Float32bits(hi)
	for range 8 {
		if hb-lb < 2 {
			break
		}
		mid := math.Float32frombits(lb + (hb-lb)/2)
		k := countGE(&m.sim, r1, mid, &m.nz)
		if k < n {
			hb = math.Float32bits(mid)
			continue
		}
		lb = math.Float32bits(mid)
		if k-n <= 8 {
			break
		}
	}
	return math.Float32frombits(lb)
}

// nthLargest returns the n-th largest of v (1-based), reordering v.
func nthLargest(v []float32, n int) float32 {
	selectLargest(v, n)
	return v[n-1]
}

// selectLargest reorders v so that its first n entries are its n largest,
// the n-th of them at n-1 (quickselect).
func selectLargest[T float32 | uint64](v []T, n int) {
	lo, hi, k := 0, len(v)-1, n-1
	for lo < hi {
		p := v[int(uint(lo+hi)>>1)]
		i, j := lo, hi
		for i <= j {
			for v[i] > p {
				i++
			}
			for v[j] < p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}
