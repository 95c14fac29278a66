package finger

import "sort"

// Index holds many prepared fingers in memory for 1:N search.
//
// Search rejects most candidates cheaply before scoring the rest exactly:
// QuickScore compares only the probe's quickCyl most central cylinders,
// with no relaxation, about a quarter of the work of Compare.
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

// DefaultPrefilter is the QuickScore below which Search drops a candidate;
// "station eval finger" reports how many genuine pairs fall below it.
const DefaultPrefilter = 0.40

// QuickScore is the cheap first-stage score of Search: the mean of the 4
// best local similarities between probe's most central cylinders and all
// of b's. Genuine pairs almost always score high; most impostors do not.
func QuickScore(probe, b *Prepared) float64 {
	if len(probe.cyl) == 0 || len(b.cyl) == 0 {
		return 0
	}
	q := &Prepared{cyl: probe.cyl[:min(quickCyl, len(probe.cyl))]}
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
// best first. Candidates whose QuickScore is under prefilter are dropped
// without exact scoring (0 scores everything exactly).
func (x *Index) Search(probe *Prepared, threshold, prefilter float64) []Hit {
	var hits []Hit
	for i, p := range x.preps {
		if prefilter > 0 && QuickScore(probe, p) < prefilter {
			continue
		}
		if sc := Compare(probe, p); sc >= threshold {
			hits = append(hits, Hit{x.ids[i], sc})
		}
	}
	sort.Slice(hits, func(a, b int) bool { return hits[a].Score > hits[b].Score })
	return hits
}

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
