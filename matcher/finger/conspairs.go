package finger

import (
	"math"
	"unsafe"
)

// consIn is the consolidation kernel's input: A's minutiae and B's laid
// over A's frame by the transform being tried, array by array. Offsets
// are fixed in conspairs_amd64.s.
type consIn struct {
	AX, AY, ACX, ACY [maxConsMin]float32
	BX, BY, BDX, BDY [maxConsMin]float32 // B's direction turned by the transform
}

var _ [0]struct{} = [unsafe.Sizeof(consIn{}) - 8192]struct{}{}

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

// consKernel, when not nil, finds every pair of A's minutiae i < na and
// B's j < nb (a multiple of 16, padded with far-away minutiae) within
// consTol and consAng, as consPairs tests them, writing d²'s bits to hi
// and i<<16 | j to lo; it returns how many, or more than consCap when it
// stopped early. Set by conspairs_amd64.go where the CPU can run it.
var consKernel func(in *consIn, na, nb int, hi, lo *[consOut]uint32) int

// consFar places B's padding minutiae beyond any pairing distance.
const consFar = 1e30

// consLoadA lays out A's minutiae for the kernel (once per comparison).
func (sc *scratch) consLoadA(a *Prepared) {
	for i := range a.mins {
		m := &a.mins[i]
		sc.cin.AX[i], sc.cin.AY[i], sc.cin.ACX[i], sc.cin.ACY[i] = m.X, m.Y, m.CX, m.CY
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
	nb := len(b.mins)
	for j := range b.mins {
		mb := &b.mins[j]
		in.BX[j] = t.c*mb.X - t.s*mb.Y + t.tx
		in.BY[j] = t.s*mb.X + t.c*mb.Y + t.ty
		in.BDX[j], in.BDY[j] = t.c*mb.CX-t.s*mb.CY, t.s*mb.CX+t.c*mb.CY
	}
	nb16 := (nb + 15) &^ 15
	for j := nb; j < nb16; j++ {
		in.BX[j], in.BY[j], in.BDX[j], in.BDY[j] = consFar, consFar, 0, 0
	}
	n := consKernel(in, len(a.mins), nb16, &sc.consHi, &sc.consLo)
	if n > consCap {
		return nil, false
	}
	var area [maxConsMin]int8 // B's minutia in A's area: 0 not known yet, 1 yes, -1 no
	cands = sc.cands[:0]
	for k := range n {
		j := sc.consLo[k] & 0xffff
		if area[j] == 0 {
			area[j] = -1
			if a.inArea(in.BX[j], in.BY[j]) {
				area[j] = 1
			}
		}
		if area[j] > 0 {
			cands = append(cands, uint64(sc.consHi[k])<<32|uint64(sc.consLo[k]))
		}
	}
	return cands, true
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
