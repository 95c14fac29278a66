package eval

import (
	"context"
	"math"
	"sort"

	"github.com/dinhdanh/dinhdanh/matcher/finger"
)

// Pooled is the accuracy of several sets taken together, for thresholds
// at lower false match rates than one set's 2,880 impostor pairs can
// show: a duplicate search over N fingers makes N comparisons, so its
// threshold belongs where FMR is about 1/N or less.
type Pooled struct {
	Sets     int
	Genuine  []float64 // every set's genuine comparisons
	SameSet  []float64 // every set's extended impostor comparisons
	CrossSet []float64 // every image against every image of the other sets
}

// OperatingPoint is a threshold and the error rates there.
type OperatingPoint struct {
	TargetFMR float64
	Threshold float64 // lowest score threshold with FMR ≤ TargetFMR
	FMR, FNMR float64
	// Resolved is false when there are too few impostor comparisons for
	// the target: fewer than 3 / TargetFMR.
	Resolved bool
}

// Pool gathers the image results of rs and compares every image with
// every image of the other sets (different sensors, so impostors that are
// easier to reject than same-sensor ones: read those rates as a bound).
// Pairs with the same finger number from databases of the same
// competition are left out: FVC2000 DB1 and DB2 hold the same fingers
// (our matcher scores those cross-sensor pairs up to 0.23, far above any
// impostor), and the other years' documents do not rule it out.
func Pool(ctx context.Context, rs []*Result) (*Pooled, error) {
	p := &Pooled{}
	for _, r := range rs {
		if r == nil || r.ISO {
			continue
		}
		p.Sets++
		p.Genuine = append(p.Genuine, r.GenuineScores...)
		p.SameSet = append(p.SameSet, r.ExtendedScores...)
	}
	for i, a := range rs {
		if a == nil || a.ISO {
			continue
		}
		for _, b := range rs[i+1:] {
			if b == nil || b.ISO {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			sameYear := year(a.Name) != "" && year(a.Name) == year(b.Name)
			for xi, x := range a.Prepared {
				for yi, y := range b.Prepared {
					if sameYear && a.Samples[xi].Finger == b.Samples[yi].Finger {
						continue
					}
					s := 0.0 // a failed extraction matches nothing
					if x != nil && y != nil {
						s = finger.Compare(x, y)
					}
					p.CrossSet = append(p.CrossSet, s)
				}
			}
		}
	}
	return p, nil
}

// At returns the operating points at the target false match rates,
// against impostor scores im.
func At(genuine, im []float64, targets ...float64) []OperatingPoint {
	g := append([]float64(nil), genuine...)
	imp := append([]float64(nil), im...)
	sort.Float64s(g)
	sort.Float64s(imp)
	out := make([]OperatingPoint, 0, len(targets))
	for _, target := range targets {
		// The k highest impostor scores may match, k = ⌊target·n⌋; the
		// threshold is just above the next one down.
		n := len(imp)
		k := int(math.Floor(target * float64(n)))
		op := OperatingPoint{TargetFMR: target, Resolved: float64(n) >= 3/target}
		if n == 0 {
			out = append(out, op)
			continue
		}
		if k >= n {
			op.Threshold = math.Inf(-1)
		} else {
			op.Threshold = math.Nextafter(imp[n-1-k], math.Inf(1))
		}
		op.FMR = float64(n-sort.SearchFloat64s(imp, op.Threshold)) / float64(n)
		op.FNMR = float64(sort.SearchFloat64s(g, op.Threshold)) / float64(max(len(g), 1))
		out = append(out, op)
	}
	return out
}

// year is the competition of an FVC set name ("FVC2000_DB1_B" → "2000").
func year(set string) string {
	if len(set) >= 7 && set[:3] == "FVC" {
		return set[3:7]
	}
	return ""
}
