package faceindex

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// The 1:N benchmarks run over 10 k, 100 k and 1 M synthetic descriptors
// (1 M takes 640 MB and a few seconds to build, only under -bench). Each
// reports comparisons per second ("cmp/s"; per core for workers=1) and the
// bytes of int8 codes streamed per second, next to two baselines measured in
// the same run: the naive float32 loop, and the machine's read bandwidth
// over a buffer the size of the codes.
//
//	go test -run '^$' -bench . -benchtime 20x ./matcher/faceindex

var benchSizes = []int{10_000, 100_000, 1_000_000}

var (
	benchMu  sync.Mutex
	benchIdx = map[int]*Index{}
)

func benchIndex(b *testing.B, n int) *Index {
	benchMu.Lock()
	defer benchMu.Unlock()
	if ix := benchIdx[n]; ix != nil {
		return ix
	}
	// Only one large index alive at a time: 24 GiB is shared.
	clear(benchIdx)
	ix, _ := New(Options{})
	r := rand.New(rand.NewPCG(uint64(n), 42))
	for i := 0; i < n; i++ {
		ix.Add(ID(i), randomDescriptor(r))
	}
	benchIdx[n] = ix
	return ix
}

func benchQueries(ix *Index) []Descriptor {
	r := rand.New(rand.NewPCG(99, 100))
	qs := make([]Descriptor, 64)
	for i := range qs {
		if i%2 == 0 {
			qs[i] = randomDescriptor(r)
		} else { // a returning face: near an enrolled one
			qs[i] = ix.vecs[r.IntN(len(ix.vecs))]
			for j := range qs[i] {
				qs[i][j] += float32(r.NormFloat64() * 0.03)
			}
		}
	}
	return qs
}

func BenchmarkSearch(b *testing.B) {
	for _, n := range benchSizes {
		ix := benchIndex(b, n)
		qs := benchQueries(ix)
		for _, kern := range Kernels() {
			for _, workers := range []int{1, 0} {
				wname := "1core"
				if workers == 0 {
					wname = "allcores"
				}
				b.Run(fmt.Sprintf("n=%d/%s/%s", n, kern, wname), func(b *testing.B) {
					// Same data, this kernel and worker count (benchmarks
					// run one at a time).
					v := ix
					v.kern = kernels[kern]
					v.workers = workers
					cands := 0
					start := time.Now()
					for i := 0; b.Loop(); i++ {
						_, st, err := v.SearchWithStats(qs[i%len(qs)], 10)
						if err != nil {
							b.Fatal(err)
						}
						cands += st.Candidates
					}
					el := time.Since(start).Seconds()
					b.ReportMetric(float64(n)*float64(b.N)/el, "cmp/s")
					b.ReportMetric(float64(n*Dim)*float64(b.N)/el/1e9, "GB/s")
					b.ReportMetric(float64(cands)/float64(b.N), "reranked/op")
				})
			}
		}
	}
}

// BenchmarkNaive is the baseline: a plain Go loop over the float32
// descriptors keeping the nearest.
func BenchmarkNaive(b *testing.B) {
	for _, n := range benchSizes {
		ix := benchIndex(b, n)
		qs := benchQueries(ix)
		b.Run(fmt.Sprintf("n=%d/1core", n), func(b *testing.B) {
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				naiveNearest(ix.vecs, &qs[i%len(qs)])
			}
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(n)*float64(b.N)/el, "cmp/s")
			b.ReportMetric(float64(n*Dim*4)*float64(b.N)/el/1e9, "GB/s")
		})
	}
}

// naiveNearest is the loop anyone would write first. It is a function of
// its own because the body of a b.Loop loop is compiled without the usual
// optimisations (to keep it from being elided), which would make the
// baseline look three times slower than it is.
//
//go:noinline
func naiveNearest(vecs []Descriptor, q *Descriptor) int {
	best, bestID := float32(1e30), -1
	for j := range vecs {
		v := &vecs[j]
		var s float32
		for c := range v {
			d := v[c] - q[c]
			s += d * d
		}
		if s < best {
			best, bestID = s, j
		}
	}
	return bestID
}

// BenchmarkMemRead measures one core's read bandwidth over a buffer the size
// of the int8 codes at each n: the floor a scan of those codes can reach.
func BenchmarkMemRead(b *testing.B) {
	for _, n := range benchSizes {
		buf := make([]byte, n*Dim)
		for i := range buf {
			buf[i] = byte(i)
		}
		b.Run(fmt.Sprintf("bytes=%d/1core", len(buf)), func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			var x uint64
			for b.Loop() {
				x ^= memRead(buf)
			}
			sink = x
		})
		b.Run(fmt.Sprintf("bytes=%d/allcores", len(buf)), func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			b.RunParallel(func(pb *testing.PB) {
				var x uint64
				for pb.Next() {
					x ^= memRead(buf)
				}
				sinkMu.Lock()
				sink ^= x
				sinkMu.Unlock()
			})
		})
	}
}

var (
	sink   uint64
	sinkMu sync.Mutex
)
