package finger

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRowKernel holds the CPU's row kernel to the portable one, lane by
// lane and bit for bit, on real templates (direction ties and thresholds
// included) and on random cylinders.
func TestRowKernel(t *testing.T) {
	if rowKernel == nil {
		t.Skip("no row kernel for this CPU; the portable scan is used")
	}
	ps := realTemplates(t, "FVC2002_DB1_B", 8)
	r := rand.New(rand.NewPCG(1, 2))
	var random []cylinder
	for range 64 {
		c := cylinder{Dir: float32(r.Float64() * 2 * math.Pi), Valid: r.Uint64() | r.Uint64()}
		if r.IntN(4) == 0 {
			c.Valid = ^uint64(0)
		}
		for k := range c.Bits {
			c.Bits[k] = r.Uint64() & r.Uint64() & c.Valid
		}
		c.NV = uint32(popcount(c.Valid))
		random = append(random, c)
	}
	// Directions exactly π and π/2 apart, the rounding edge of dirCompatible.
	random[1].Dir, random[2].Dir = random[0].Dir+math.Pi, random[0].Dir+math.Pi/2
	sets := [][]cylinder{random}
	for _, p := range ps {
		sets = append(sets, p.cylinders())
	}
	for _, bs := range sets {
		blk := blocks(bs, nil)
		for len(blk) > 8 {
			blk = blk[:8]
		}
		for _, as := range sets {
			pa := newPrepared(as)
			for i := range as {
				for _, thr := range []float32{0, 0.3, 0.55, 2} {
					var got, want [64]float32
					gm, gb := rowKernel(pa, i, blk, 0xff, thr, &got)
					wm, wb := simRowGo(pa, i, blk, thr, &want)
					if gm != wm || gb != wb {
						t.Fatalf("cylinder %d, thr %v: mask %x best %v, portable %x %v", i, thr, gm, gb, wm, wb)
					}
					for j := range want[:8*len(blk)] {
						if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
							t.Fatalf("cylinder %d lane %d: %v, portable %v", i, j, got[j], want[j])
						}
					}
				}
			}
		}
	}
}

// TestDirBlocks checks that the blocks the row kernel skips for a
// direction (Prepared.dirBlocks) hold no pair dirCompatible accepts: on
// real templates and on random directions, with the edges of the
// buckets and of π/2, the kernel gives the portable row's mask, best and
// similarities on the blocks it compares, and the portable row is zero
// on the others.
func TestDirBlocks(t *testing.T) {
	if rowKernel == nil {
		t.Skip("no row kernel for this CPU; the portable scan is used")
	}
	ps := realTemplates(t, "FVC2002_DB1_B", 8)
	r := rand.New(rand.NewPCG(9, 10))
	var random []cylinder
	for k := range 64 {
		c := cylinder{Dir: float32(r.Float64() * 2 * math.Pi), Valid: ^uint64(0), NV: 64}
		switch k % 4 {
		case 0: // a bucket's edge
			c.Dir = float32(float64(r.IntN(dirBuckets)) * 2 * math.Pi / dirBuckets)
		case 1: // π/2 from one
			c.Dir = float32(math.Mod(float64(r.IntN(dirBuckets))*2*math.Pi/dirBuckets+math.Pi/2, 2*math.Pi))
		}
		for b := range c.Bits {
			c.Bits[b] = r.Uint64()
		}
		random = append(random, c)
	}
	random[5].Dir = 0
	random[6].Dir = 2 * math.Pi
	sets := []*Prepared{newPrepared(random)}
	sets = append(sets, ps...)
	skipped := 0
	for _, pb := range sets {
		for _, pa := range sets {
			for i := range pa.pos {
				mask := pb.dirBlocks[dirBucket(pa.pos[i].Dir)]
				var got, want [64]float32
				gm, gb := rowKernel(pa, i, pb.blk, mask, 0, &got)
				wm, wb := simRowGo(pa, i, pb.blk, 0, &want)
				if gm != wm || gb != wb {
					t.Fatalf("cylinder %d (dir %v), blocks %08b: mask %x best %v, portable %x %v", i, pa.pos[i].Dir, mask, gm, gb, wm, wb)
				}
				for j := range want[:8*len(pb.blk)] {
					compared := mask>>(j/8)&1 != 0
					if !compared {
						skipped++
					}
					if compared && math.Float32bits(got[j]) != math.Float32bits(want[j]) || !compared && want[j] != 0 {
						t.Fatalf("cylinder %d lane %d (compared %v): %v, portable %v", i, j, compared, got[j], want[j])
					}
				}
			}
		}
	}
	if skipped == 0 {
		t.Error("no block was skipped")
	}
}

func popcount(v uint64) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}

// TestRelaxKernel holds the CPU's compatibility kernel to the portable
// one, bit for bit, on the candidate pairs of real comparisons and on
// random minutiae (coincident points and shared minutiae included).
func TestRelaxKernel(t *testing.T) {
	if relaxKernel == nil {
		t.Skip("no relaxation kernel for this CPU; the portable code is used")
	}
	check := func(name string, in *relaxIn, n int) {
		t.Helper()
		var got, want [relaxMax][relaxMax]float32
		var gnz, wnz [relaxMax]uint64
		// Rubbish where the kernel must write zeros.
		for i := range got {
			for j := range got[i] {
				got[i][j] = -1
			}
		}
		relaxKernel(in, n, &got, &gnz)
		relaxCompatGo(in, n, &want, &wnz)
		// The portable matrix is the upper triangle: mirror it.
		for i := range n {
			for m := wnz[i]; m != 0; m &= m - 1 {
				j := bits.TrailingZeros64(m)
				want[j][i] = want[i][j]
				wnz[j] |= 1 << i
			}
		}
		w := (n + 15) / 16 * 16
		for i := range n {
			if gnz[i] != wnz[i] {
				t.Fatalf("%s: row %d non-zeros %x, portable %x", name, i, gnz[i], wnz[i])
			}
			for j := range w {
				if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("%s: ρ[%d][%d] = %v, portable %v", name, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
	ps := realTemplates(t, "FVC2002_DB1_B", 12)
	for x, a := range ps {
		for y, b := range ps {
			var top [maxRelax]pair
			k := topPairs(a, b, top[:maxRelax])
			var in relaxIn
			relaxInput(&in, a, b, top[:k])
			check(fmt.Sprintf("templates %d, %d", x, y), &in, k)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 2000 {
		var in relaxIn
		n := 1 + r.IntN(relaxMax)
		for i := range n {
			in.AX[i], in.AY[i] = float32(r.IntN(60)), float32(r.IntN(60))
			in.BX[i], in.BY[i] = float32(r.IntN(60)), float32(r.IntN(60))
			in.AD[i], in.BD[i] = float32(r.Float64()*2*math.Pi), float32(r.Float64()*2*math.Pi)
			if r.IntN(8) == 0 {
				in.AD[i] = 2 * math.Pi
			}
			in.PA[i], in.PB[i] = int32(r.IntN(40)), int32(r.IntN(40))
		}
		check(fmt.Sprintf("random %d", round), &in, n)
	}
}

func TestGeMasks(t *testing.T) {
	if geMasks == nil {
		t.Skip("no kernel for this CPU")
	}
	r := rand.New(rand.NewPCG(5, 6))
	var rows [64][64]float32
	for i := range rows {
		for j := range rows[i] {
			rows[i][j] = float32(r.IntN(20)) / 19
		}
	}
	for _, n := range []int{0, 1, 7, 64} {
		for _, thr := range []float32{0, 0.5, 1, 2} {
			var got, want [64]uint64
			for i := range got {
				got[i] = r.Uint64()
				want[i] = got[i]
			}
			if a, b := countGE(&rows, n, thr, &got), countGEGo(&rows, n, thr, &got); a != b {
				t.Fatalf("n %d, t %v: countGE %d, portable %d", n, thr, a, b)
			}
			geMasks(&rows, n, thr, &got)
			geMasksGo(&rows, n, thr, &want)
			if got != want {
				t.Fatalf("n %d, t %v: masks differ", n, thr)
			}
		}
	}
}

func TestNthLargest(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 500 {
		v := make([]float32, 1+r.IntN(64))
		for i := range v {
			v[i] = float32(r.IntN(10))
		}
		n := 1 + r.IntN(len(v))
		sorted := slices.Clone(v)
		slices.Sort(sorted)
		if got, want := nthLargest(v, n), sorted[len(sorted)-n]; got != want {
			t.Fatalf("nthLargest(%v, %d) = %v, want %v", sorted, n, got, want)
		}
	}
}

// TestPortablePaths runs Compare and Search with the kernels switched off,
// as on a CPU without AVX-512 or AVX2: the same scores as the reference.
func TestPortablePaths(t *testing.T) {
	defer SetKernels(SetKernels(false))
	testCompareAndSearch(t)
}
