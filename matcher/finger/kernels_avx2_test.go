package finger

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAVX2Kernels runs the kernel and comparison specs with the kernel set
// of a CPU with AVX2 but without AVX-512, forced on this machine: each
// kernel lane by lane against the portable code (a test skips a kernel
// the set lacks), and Compare and Search against the reference.
func TestAVX2Kernels(t *testing.T) {
	restore, ok := useAVX2Kernels()
	if !ok {
		t.Skip("no AVX2 on this CPU")
	}
	defer restore()
	for _, c := range []struct {
		name string
		spec func(*testing.T)
	}{
		{"RowKernel", TestRowKernel},
		{"DirBlocks", TestDirBlocks},
		{"GeMasks", TestGeMasks},
		{"RelaxKernel", TestRelaxKernel},
		{"ConsKernel", TestConsKernel},
		{"AreaKernel", TestAreaKernel},
		{"SortKernel", TestSortKernel},
		{"CompareMatchesReference", TestCompareMatchesReference},
		{"CompareAndSearch", testCompareAndSearch},
		{"SearchFindsMate", TestSearchFindsMate},
		{"AllocationFree", testAllocationFree},
	} {
		t.Run(c.name, c.spec)
	}
}

// testCompareAndSearch checks Compare and Search against the reference
// with whatever kernels are installed.
func testCompareAndSearch(t *testing.T) {
	ps := realTemplates(t, "FVC2002_DB1_B", 8)
	var x Index
	for i, p := range ps {
		x.Add(fmt.Sprint(i), p)
	}
	for i, a := range ps {
		for j, b := range ps {
			if got, want := Compare(a, b), refCompare(a, b); got != want {
				t.Fatalf("Compare(%d, %d) = %v, reference %v", i, j, got, want)
			}
		}
		got, want := x.Search(a, 0.01, DefaultPrefilter), refSearch(&x, a, 0.01, DefaultPrefilter)
		if !slices.Equal(got, want) {
			t.Fatalf("Search(%d) = %v, reference %v", i, got, want)
		}
	}
}

// testAllocationFree holds Compare with whatever kernels are installed
// to its promise of no allocation per call.
func testAllocationFree(t *testing.T) {
	ps := realTemplates(t, "FVC2002_DB1_B", 6)
	n := testing.AllocsPerRun(20, func() {
		for _, a := range ps {
			for _, b := range ps {
				Compare(a, b)
			}
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per %d comparisons", n, len(ps)*len(ps))
	}
}

// FuzzCompareAVX2Kernels is FuzzCompareKernels for the AVX2 set: arbitrary
// minutiae sets score the same bits with it as with the portable code.
func FuzzCompareAVX2Kernels(f *testing.F) {
	restore, ok := useAVX2Kernels()
	if !ok {
		f.Skip("no AVX2 on this CPU")
	}
	restore()
	for _, name := range []string{"101_1.tif", "101_2.tif"} {
		if tpl, _, err := Extract(load(f, "FVC2002_DB1_B", name), nil); err == nil {
			f.Add(appendFuzzTemplate(appendFuzzTemplate(nil, tpl, false), tpl, true))
		}
	}
	f.Add([]byte{1, 2, 3, 4, 0x80, 1, 2, 3, 4, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ta, tb := fuzzTemplates(b)
		pa, pb := Prepare(ta), Prepare(tb)
		restore, _ := useAVX2Kernels()
		fast := Compare(pa, pb)
		restore()
		was := SetKernels(false)
		slow := Compare(pa, pb)
		SetKernels(was)
		if math.Float64bits(fast) != math.Float64bits(slow) {
			t.Fatalf("AVX2 kernels %v, portable %v", fast, slow)
		}
	})
}

// kernelVariants are the sub-benchmarks of the kernel benchmarks: the
// kernel init installed, the AVX2 set's and the portable one.
var kernelVariants = []string{"cpu", "avx2", "portable"}

// pickKernel returns the kernel the variant name times: get() with the
// installed kernels or with the AVX2 set, or portable; it skips b when
// there is none.
func pickKernel[K any](b *testing.B, name string, get func() K, portable K) K {
	k := get()
	switch name {
	case "avx2":
		restore, ok := useAVX2Kernels()
		if !ok {
			b.Skip("no AVX2 on this CPU")
		}
		k = get()
		restore()
	case "portable":
		k = portable
	}
	return k
}

// BenchmarkRowKernel times the first pass alone, every cylinder of 24
// FVC2002 DB1 templates against all blocks of every other's (up to 64).
func BenchmarkRowKernel(b *testing.B) {
	ps := dbTemplates(b, cmpSet, 24)
	for _, name := range kernelVariants {
		b.Run(name, func(b *testing.B) {
			kernel := pickKernel(b, name, func() func(*Prepared, int, []cylBlock, uint8, float32, *[64]float32) (uint64, float32) {
				return rowKernel
			},
				func(a *Prepared, i int, blk []cylBlock, _ uint8, thr float32, out *[64]float32) (uint64, float32) {
					return simRowGo(a, i, blk, thr, out)
				})
			if kernel == nil {
				b.Skip("no row kernel for this CPU")
			}
			var out [64]float32
			n := 0
			for b.Loop() {
				for _, p := range ps {
					for _, q := range ps {
						blk := q.blk[:min(len(q.blk), 8)]
						for i := range p.pos {
							kernel(p, i, blk, 0xff, 0, &out)
						}
						n += len(p.pos) * 8 * len(blk)
					}
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}

// BenchmarkRelaxKernel times the compatibility matrix alone on the
// candidate pairs of 24 FVC2002 DB1 templates compared all against all
// (the portable one, relaxCompatGo, fills the upper triangle only).
func BenchmarkRelaxKernel(b *testing.B) {
	ps := dbTemplates(b, cmpSet, 24)
	ins := make([]relaxIn, len(ps)*len(ps))
	ns := make([]int, len(ins))
	for k := range ins {
		var top [maxRelax]pair
		a, c := ps[k/len(ps)], ps[k%len(ps)]
		ns[k] = topPairs(a, c, top[:maxRelax])
		relaxInput(&ins[k], a, c, top[:ns[k]])
	}
	for _, name := range kernelVariants {
		b.Run(name, func(b *testing.B) {
			kernel := pickKernel(b, name, func() func(*relaxIn, int, *[relaxMax][relaxMax]float32, *[relaxMax]uint64) { return relaxKernel }, relaxCompatGo)
			if kernel == nil {
				b.Skip("no relaxation kernel for this CPU")
			}
			var rho [relaxMax][relaxMax]float32
			var nz [relaxMax]uint64
			for b.Loop() {
				for k := range ins {
					kernel(&ins[k], ns[k], &rho, &nz)
				}
			}
			b.ReportMetric(float64(b.N*len(ins))/b.Elapsed().Seconds(), "matrices/s")
		})
	}
}

// BenchmarkSortKernel sorts 48 random keys descending, as rank sorts the
// first pass's candidates.
func BenchmarkSortKernel(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	keys := make([][]uint64, 256)
	for k := range keys {
		for range 48 {
			keys[k] = append(keys[k], r.Uint64())
		}
	}
	// The portable code's way with a few dozen keys: insertion sort.
	portable := func(v []uint64, flip uint64) {
		for a := 1; a < len(v); a++ {
			x, b := v[a], a
			for ; b > 0 && v[b-1]^flip > x^flip; b-- {
				v[b] = v[b-1]
			}
			v[b] = x
		}
	}
	for _, name := range kernelVariants {
		b.Run(name, func(b *testing.B) {
			kernel := pickKernel(b, name, func() func([]uint64, uint64) { return sortKernel }, portable)
			if kernel == nil {
				b.Skip("no sort kernel for this CPU")
			}
			v := make([]uint64, 48)
			for b.Loop() {
				for _, k := range keys {
					copy(v, k)
					kernel(v, ^uint64(0))
				}
			}
			b.ReportMetric(float64(b.N*len(keys))/b.Elapsed().Seconds(), "sorts/s")
		})
	}
}
