package finger

import (
	"math"
	"unsafe"
)

// consIn is the consolidation kernel's input: A's minutiae and B's laid
// over A's frame by the transform being tried, array by array, and the
// kernel's working memory for each of B's: the band of A's minutiae it
// can pair with. Offsets are fixed in conspairs_amd64.s.
type consIn struct {
	AX, AY, ACX, ACY [maxConsMin]float32
	BX, BY, BDX, BDY [maxConsMin]float32 // B's direction turned by the transform
	BLo, BHi         [maxConsMin]int32
}

var _ [0]struct{} = [unsafe.Sizeof(consIn{}) - 10240]struct{}{}

// consArea is what the kernel reads of A's grid and area: the first of
// A's minutiae in each grid row (gh+1 entries), the hull and image of
// inArea, and the grid's origin and rows as float32 for the bands.
// Offsets are fixed in conspairs_amd64.s.
type consArea struct {
	Rows            *int32
	Hull            *edgeLine
	NH              int64
	GY0, Inv, Band  float32 // Band: consTol and 2 pixels to spare, in rows
	GH, GH1         float32 // gh and gh−1
	W, H, NegMargin float32
}

var (
	_ [0]struct{} = [unsafe.Offsetof(consArea{}.GY0) - 24]struct{}{}
	_ [0]struct{} = [unsafe.Offsetof(consArea{}.W) - 44]struct{}{}
)

// consCap is the most candidate pairs a pairing keeps (scratch.cands);
// consOut leaves the kernel room to write a whole vector past it.
const (
	consCap = 1024
	consOut = consCap + 16
)

// consConsts are the kernel's constants: consTol² and cos(consAng) as
// consPairs compares them (float32), then the lane numbers 0–15.
var consConsts = func() (c [18]uint32) {
	c[0] = math.Float32bits(consTol * consTol)
	c[1] = math.Float32bits(consCos)
	for i := range 16 {
		c[2+i] = uint32(i)
	}
	return c
}()

// consKernel, when not nil, finds the candidate pairs of consPairs
// whose minutia of B is in A's area (inArea), as the grid search tests
// them, and writes their sort keys to out; it returns how many, or more
// than consCap when it stopped early. Each of B's minutiae j < nb is
// tested against A's in the grid rows within consTol of its height (and
// pixels to spare, so that rounding cannot leave one out): a fifth of
// them, where the grid search tests 2×2 cells. Set by conspairs_amd64.go
// where the CPU can run it.
var consKernel func(in *consIn, nb int, a *consArea, out *[consOut]uint64) int

// consLoadA lays out A's minutiae and area for the kernel (once per
// comparison).
func (sc *scratch) consLoadA(a *Prepared) {
	for i := range a.mins {
		m := &a.mins[i]
		sc.cin.AX[i], sc.cin.AY[i], sc.cin.ACX[i], sc.cin.ACY[i] = m.X, m.Y, m.CX, m.CY
	}
	inv := 1 / a.cell
	sc.area = consArea{
		Rows: &a.rows[0], NH: int64(len(a.hull)),
		GY0: a.gy0, Inv: inv, Band: (consTol + 2) * inv,
		GH: float32(a.gh), GH1: float32(a.gh - 1),
		W: a.w, H: a.h, NegMargin: -consMargin,
	}
	if len(a.hull) > 0 {
		sc.area.Hull = &a.hull[0]
	}
}

// consCandsKernel is the candidate search of consPairs by consKernel, A
// laid out by consLoadA: the same pairs as the grid search, those of B's
// minutiae outside A's area dropped. ok is false when there is no kernel
// or too many candidates (the grid search then keeps the first consCap
// of them in its own order).
func (sc *scratch) consCandsKernel(a, b *Prepared, t rigid) (cands []uint64, ok bool) {
	if consKernel == nil {
		return nil, false
	}
	in := &sc.cin
	for j := range b.mins {
		mb := &b.mins[j]
		in.BX[j] = t.c*mb.X - t.s*mb.Y + t.tx
		in.BY[j] = t.s*mb.X + t.c*mb.Y + t.ty
		in.BDX[j], in.BDY[j] = t.c*mb.CX-t.s*mb.CY, t.s*mb.CX+t.c*mb.CY
	}
	n := consKernel(in, len(b.mins), &sc.area, &sc.cands)
	if n > consCap {
		return nil, false
	}
	return sc.cands[:n], true
}

// areaKernel, when not nil, is countInArea's loop. Set by
// conspairs_amd64.go where the CPU can run it.
var areaKernel func(p *Prepared, xs, ys *[maxConsMin]float32, n int) int

// countInArea returns how many of the first n points (xs, ys) lie in p's
// finger area (inArea).
func (p *Prepared) countInArea(xs, ys *[maxConsMin]float32, n int) int {
	if areaKernel != nil {
		return areaKernel(p, xs, ys, n)
	}
	c := 0
	for k := range n {
		if p.inArea(xs[k], ys[k]) {
			c++
		}
	}
	return c
}
