package finger

import (
	"math"
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
	_ [0]struct{} = [unsafe.Offsetof(cylinder{}.Dir) - 8]struct{}{}
	_ [0]struct{} = [unsafe.Offsetof(cylinder{}.Valid) - 16]struct{}{}
	_ [0]struct{} = [unsafe.Offsetof(cylinder{}.Bits) - 24]struct{}{}
)

// blocks lays cs out eight to a block; the unused lanes of the last block
// have no valid cells, so they never pass the common-cells test.
func blocks(cs []cylinder) []cylBlock {
	out := make([]cylBlock, (len(cs)+7)/8)
	for i := range cs {
		b, l := &out[i/8], i%8
		b.Valid[l] = cs[i].Valid
		for k := range cylNd {
			b.Bits[k][l] = cs[i].Bits[k]
		}
		b.NV[l] = float32(cs[i].NV)
		b.Dir[l] = cs[i].Dir
	}
	return out
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

// rowKernel, when not nil, computes the local similarities of cylinder a
// against the cylinders of nblk blocks into out (8 per block), zero where
// the pair is not compatible, and returns the bit mask of the lanes whose
// similarity is above zero and at least thr. Set by simrow_amd64.go where
// the CPU can run it.
var rowKernel func(a *cylinder, blk []cylBlock, thr float32, out *[64]float32) uint64

// simRowGo is the portable row kernel, localSim and dirCompatible lane
// by lane; tests hold the assembly to it.
func simRowGo(a *cylinder, blk []cylBlock, thr float32, out *[64]float32) uint64 {
	var mask uint64
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
			if s > 0 && s >= thr {
				mask |= 1 << j
			}
		}
	}
	return mask
}
