package finger

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// isoFinger is one FVC impression read from the .iso template beside the
// image (no extraction, so tests and benchmarks set up fast).
type isoFinger struct {
	finger     string // set/finger
	impression int
	p          *Prepared
}

var isoSets = []string{"FVC2002_DB1_B", "FVC2002_DB2_B", "FVC2002_DB3_B", "FVC2002_DB4_B", "FVC2004_DB3_B", "FVC2004_DB4_B"}

func isoFingers(t testing.TB) []isoFinger {
	t.Helper()
	var out []isoFinger
	for _, set := range isoSets {
		for f := 101; f <= 110; f++ {
			for i := 1; i <= 8; i++ {
				path := shared.Require(t, "data", "fingerprints", set, fmt.Sprintf("%d_%d.iso", f, i))
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				tpl, err := template.ParseISO(b)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				out = append(out, isoFinger{fmt.Sprintf("%s/%d", set, f), i, Prepare(tpl)})
			}
		}
	}
	return out
}

// refSearch is Index.Search as it was: QuickScore, then Compare, on the
// reference implementations.
func refSearch(x *Index, probe *Prepared, threshold, prefilter float64) []Hit {
	var hits []Hit
	for i, p := range x.preps {
		if prefilter > 0 && (refQuickScore(probe, p) < prefilter || refLSS(probe, p) < lssBar) {
			continue
		}
		if sc := refCompare(probe, p); sc >= threshold {
			hits = append(hits, Hit{x.ids[i], sc})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].Score > hits[b].Score })
	return hits
}

func refLSS(a, b *Prepared) float64 {
	np, nr := relaxSize(a.Len(), b.Len())
	var top [maxRelax]pair
	k := refTopPairs(a, b, top[:nr])
	return lss(top[:k], np)
}

func refQuickScore(probe, b *Prepared) float64 {
	if probe.Len() == 0 || b.Len() == 0 {
		return 0
	}
	q := probe.head(quickCyl)
	var top [4]pair
	k := refTopPairs(q, b, top[:])
	var s float32
	for _, p := range top[:k] {
		s += p.sim
	}
	return float64(s) / 4
}

// TestSearchFindsMate searches impression 2 of every finger of the six
// FVC sets with .iso templates in a gallery of all their other
// impressions (420 fingers): the best hit must be the same finger for
// nearly all probes, and the hits must be exactly the old path's.
func TestSearchFindsMate(t *testing.T) {
	all := isoFingers(t)
	var x Index
	var probes []isoFinger
	for _, f := range all {
		if f.impression == 2 {
			probes = append(probes, f)
		} else {
			x.Add(f.finger, f.p)
		}
	}
	found, firstRank := 0, 0
	for _, pr := range probes {
		hits := x.Search(pr.p, DefaultThreshold, DefaultPrefilter)
		ref := refSearch(&x, pr.p, DefaultThreshold, DefaultPrefilter)
		if len(hits) != len(ref) {
			t.Fatalf("%s: %d hits, old path %d", pr.finger, len(hits), len(ref))
		}
		for i := range hits {
			if hits[i] != ref[i] {
				t.Fatalf("%s: hit %d is %v, old path %v", pr.finger, i, hits[i], ref[i])
			}
		}
		for _, h := range hits {
			if h.ID == pr.finger {
				found++
				break
			}
		}
		if len(hits) > 0 && hits[0].ID == pr.finger {
			firstRank++
		}
	}
	t.Logf("%d probes, gallery %d: mate among hits %d, mate ranked first %d", len(probes), x.Len(), found, firstRank)
	if float64(firstRank) < 0.9*float64(len(probes)) {
		t.Errorf("mate ranked first for only %d of %d probes", firstRank, len(probes))
	}
}

// replicate builds an n-finger gallery from real templates by rigid
// motion (rotation, translation) and dropping a few descriptors: cylinder
// bits are rotation invariant, so each copy costs what a real finger of
// that size costs, without extracting n images.
func replicate(src []*Prepared, n int, rng *rand.Rand) []*Prepared {
	out := make([]*Prepared, 0, n)
	for len(out) < n {
		p := src[len(out)%len(src)]
		th := rng.Float64() * 2 * math.Pi
		co, si := float32(math.Cos(th)), float32(math.Sin(th))
		tx, ty := float32(rng.NormFloat64()*30), float32(rng.NormFloat64()*30)
		var cs []cylinder
		for _, c := range p.cylinders() {
			if rng.IntN(10) == 0 {
				continue
			}
			c.X, c.Y = co*c.X-si*c.Y+tx, si*c.X+co*c.Y+ty
			c.Dir = float32(math.Mod(float64(c.Dir)+th, 2*math.Pi))
			cs = append(cs, c)
		}
		out = append(out, newPrepared(cs))
	}
	return out
}

// BenchmarkSearch1N searches 10,000 fingers (replicated from the FVC .iso
// templates) with FVC probes: "old" is the code before this change
// (reference QuickScore + Compare), "search" is Index.Search; both with
// the default prefilter and threshold, and "noprefilter" scores every
// candidate exactly.
func BenchmarkSearch1N(b *testing.B) {
	all := isoFingers(b)
	var src []*Prepared
	for _, f := range all {
		src = append(src, f.p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	gallery := replicate(src, 10000, rng)
	var x Index
	for i, p := range gallery {
		x.Add(fmt.Sprint(i), p)
	}
	probes := []*Prepared{all[1].p, all[90].p, all[250].p, all[333].p, all[417].p, all[470].p}
	run := func(name string, search func(p *Prepared) []Hit) {
		b.Run(name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				for _, p := range probes {
					search(p)
					n += x.Len()
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "cmp/s")
		})
	}
	run("old", func(p *Prepared) []Hit { return refSearch(&x, p, DefaultThreshold, DefaultPrefilter) })
	run("search", func(p *Prepared) []Hit { return x.Search(p, DefaultThreshold, DefaultPrefilter) })
	run("noprefilter", func(p *Prepared) []Hit { return x.Search(p, DefaultThreshold, 0) })
}

// BenchmarkSearch200k searches an index of 200,000 fingers (replicated
// from the FVC .iso templates, as in BenchmarkSearch1N) with one probe at
// a time, as a duplicate check does: run with -cpu 1,2 to see Search
// spread over cores ("fingers/s" is candidates examined per second).
func BenchmarkSearch200k(b *testing.B) {
	all := isoFingers(b)
	var src []*Prepared
	for _, f := range all {
		src = append(src, f.p)
	}
	var x Index
	for i, p := range replicate(src, 200_000, rand.New(rand.NewPCG(3, 4))) {
		x.Add(fmt.Sprint(i), p)
	}
	probes := []*Prepared{all[1].p, all[90].p, all[250].p, all[333].p, all[417].p, all[470].p}
	n := 0
	b.ResetTimer()
	for b.Loop() {
		x.Search(probes[n%len(probes)], DefaultThreshold, DefaultPrefilter)
		n++
	}
	b.ReportMetric(float64(n*x.Len())/b.Elapsed().Seconds(), "fingers/s")
}
