package finger

import (
	"runtime"
	"sort"
	"sync"
)

// Index holds many prepared fingers in memory for 1:N search.
//
// Search rejects candidates early, in two steps, before scoring the rest
// exactly: QuickScore compares only the probe's quickCyl most central
// cylinders; then, with every local similarity in hand, LSS (the mean of
// the best, before relaxation, which is about half of a comparison)
// must reach lssBar.
type Index struct {
	ids   []string
	preps []*Prepared
}

// Add puts a finger in the index under id (a person's key and finger).
func (x *Index) Add(id string, p *Prepared) {
	x.ids = append(x.ids, id)
	x.preps = append(x.preps, p)
}

// Len is the number of fingers indexed.
func (x *Index) Len() int { return len(x.ids) }

// quickCyl is how many probe cylinders QuickScore uses.
const quickCyl = 12

// DefaultPrefilter is the QuickScore below which Search drops a candidate:
// just under the lowest QuickScore of the genuine pairs Compare accepts at
// DefaultThreshold on the ten FVC sets (0.3820 with consolidation, 0.3798
// before, TestExpStages; 0.337 before cylinder cells were clipped to the
// image), so that a duplicate
// search loses none of them there ("station eval finger", column
// pfLoss). At 0.40 it dropped 0.4–3.5% of them.
const DefaultPrefilter = 0.37

// lssBar is the LSS below which Search drops a candidate once it passed
// QuickScore: just under the lowest LSS of the genuine pairs Compare
// accepts at DefaultThreshold on the ten FVC sets (0.4322 with
// consolidation, 0.4260 before; TestExpStages, stage "lss"), so the second
// step loses none of them there.
const lssBar = 0.42

// QuickScore is the cheap first-stage score of Search: the mean of the 4
// best local similarities between probe's most central cylinders and all
// of b's. Genuine pairs almost always score high; most impostors do not.
func QuickScore(probe, b *Prepared) float64 {
	if len(probe.pos) == 0 || len(b.pos) == 0 {
		return 0
	}
	q := probe.head(quickCyl)
	var top [4]pair
	k := topPairs(q, b, top[:])
	var s float32
	for _, p := range top[:k] {
		s += p.sim
	}
	return float64(s) / 4
}

// Hit is one search result.
type Hit struct {
	ID    string
	Score float64
}

// Search returns the fingers scoring at least threshold against probe,
// best first (ties in index order). Candidates the prefilter drops are
// not scored exactly (a prefilter of 0 scores every one); see Screen.
// Large indexes are split across GOMAXPROCS goroutines.
func (x *Index) Search(probe *Prepared, threshold, prefilter float64) []Hit {
	type hit struct {
		i     int
		score float64
	}
	n := len(x.preps)
	workers := max(1, min(runtime.GOMAXPROCS(0), n/searchChunk))
	parts := make([][]hit, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			sc := scratchPool.Get().(*scratch)
			defer scratchPool.Put(sc)
			for i := w * n / workers; i < (w+1)*n/workers; i++ {
				score, ok := searchScore(probe, x.preps[i], prefilter, sc)
				if ok && score >= threshold {
					parts[w] = append(parts[w], hit{i, score})
				}
			}
		})
	}
	wg.Wait()
	var all []hit
	for _, p := range parts {
		all = append(all, p...)
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].score != all[b].score {
			return all[a].score > all[b].score
		}
		return all[a].i < all[b].i
	})
	hits := make([]Hit, len(all))
	for k, h := range all {
		hits[k] = Hit{x.ids[h.i], h.score}
	}
	return hits
}

// searchChunk is the fewest candidates worth a goroutine of Search's
// (about 10 ms of comparisons).
const searchChunk = 1024

// FusePerson combines the scores of several fingers of one person
// (sum rule over the fingers compared, the best-performing simple fusion
// for independent fingers): the mean of the per-finger scores, so a
// person with one poor finger is not rejected by it alone when the others
// match strongly, and the result stays on the single-finger scale.
func FusePerson(scores []float64) float64 {
	if len(scores) == 0 {
		return 0
	}
	var s float64
	for _, v := range scores {
		s += v
	}
	return s / float64(len(scores))
}

// searchScore is QuickScore, then if it reaches prefilter the LSS step,
// then Compare, with the same results, but the cylinder pairs QuickScore
// looks at are the first rows of Compare's scan and LSS comes from
// Compare's candidate list, so survivors pay for neither twice. sc is
// reused from one candidate to the next.
func searchScore(probe, b *Prepared, prefilter float64, sc *scratch) (float64, bool) {
	na, nb := len(probe.pos), len(b.pos)
	if na == 0 || nb == 0 || len(b.dirs) != nb {
		if prefilter > 0 && QuickScore(probe, b) < prefilter {
			return 0, false
		}
		return Compare(probe, b), true
	}
	np, nr := relaxSize(na, nb)
	var top [maxRelax]pair
	if matrixFits(probe, b) {
		m := &sc.m
		r := 0
		if prefilter > 0 {
			r = min(quickCyl, na)
			m.fill(probe, b, 0, r)
			var quick [4]pair
			qk := m.rank(0, r, m.bar(0, r, len(quick)), quick[:], b.byDir)
			var s float32
			for _, p := range quick[:qk] {
				s += p.sim
			}
			if float64(s)/4 < prefilter {
				return 0, false
			}
		}
		m.fill(probe, b, r, na)
		k := m.rank(0, na, m.bar(0, na, nr), top[:nr], b.byDir)
		if prefilter > 0 && lss(top[:k], np) < lssBar {
			return 0, false
		}
		if k < 2 {
			return 0, true
		}
		return sc.relax(probe, b, top[:k], np), true
	}
	k, r := 0, 0
	if prefilter > 0 {
		var quick [4]pair
		var qk int
		r = min(quickCyl, na)
		k, qk = scanRows(probe, b, 0, r, top[:nr], 0, quick[:], 0)
		var s float32
		for _, p := range quick[:qk] {
			s += p.sim
		}
		if float64(s)/4 < prefilter {
			return 0, false
		}
	}
	k, _ = scanRows(probe, b, r, na, top[:nr], k, nil, 0)
	if prefilter > 0 && lss(top[:k], np) < lssBar {
		return 0, false
	}
	if k < 2 {
		return 0, true
	}
	return sc.relax(probe, b, top[:k], np), true
}

// lss is MCC's LSS score: the mean of the np best local similarities of
// the candidate list top (best first).
func lss(top []pair, np int) float64 {
	var s float32
	for _, p := range top[:min(len(top), np)] {
		s += p.sim
	}
	return float64(s) / float64(np)
}

// Screen is what Search does with one candidate: ok is false when the
// prefilter (QuickScore below prefilter, then LSS below its bar) drops b
// before exact scoring; otherwise score is Compare(probe, b). A
// prefilter of 0 scores exactly.
func Screen(probe, b *Prepared, prefilter float64) (score float64, ok bool) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	return searchScore(probe, b, prefilter, sc)
}
