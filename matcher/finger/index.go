package finger

import (
	"math/bits"
	"sort"
)

// Index holds many prepared fingers in memory for 1:N search.
//
// Each finger also keeps a cheap summary: the union of its cylinders'
// direction-layer bits folded into one 64-bit word per layer. A search
// first scores the probe's summary against each finger's (a few
// popcounts), drops fingers far below the best so far, and computes the
// exact score only for the survivors.
type Index struct {
	ids     []string
	preps   []*Prepared
	summary [][cylNd]uint64
}

// Add puts a finger in the index under id (a person's key and finger).
func (x *Index) Add(id string, p *Prepared) {
	x.ids = append(x.ids, id)
	x.preps = append(x.preps, p)
	x.summary = append(x.summary, summarize(p))
}

// Len is the number of fingers indexed.
func (x *Index) Len() int { return len(x.ids) }

func summarize(p *Prepared) (s [cylNd]uint64) {
	for i := range p.cyl {
		for k := range s {
			s[k] |= p.cyl[i].Bits[k]
		}
	}
	return s
}

// Hit is one search result.
type Hit struct {
	ID    string
	Score float64
}

// Search returns the fingers scoring at least threshold against probe,
// best first. With prefilter set, fingers whose summary overlaps the
// probe's less than that fraction are rejected without exact scoring
// (0 scores everything exactly).
func (x *Index) Search(probe *Prepared, threshold, prefilter float64) []Hit {
	ps := summarize(probe)
	var pn int
	for _, w := range ps {
		pn += bits.OnesCount64(w)
	}
	var hits []Hit
	for i, s := range x.summary {
		if prefilter > 0 && pn > 0 {
			var common int
			for k := range s {
				common += bits.OnesCount64(s[k] & ps[k])
			}
			if float64(common) < prefilter*float64(pn) {
				continue
			}
		}
		if sc := Compare(probe, x.preps[i]); sc >= threshold {
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
