// Package eval measures the fingerprint engine the way the Fingerprint
// Verification Competitions do: genuine and impostor comparisons over an
// FVC database, EER, FMR100, FMR1000 and ZeroFMR, a DET curve, and
// extraction and comparison throughput.
package eval

import (
	"math"
	"sort"
)

// Rates are the accuracy figures of one set of genuine and impostor scores.
type Rates struct {
	Genuine, Impostor int     // comparisons counted
	EER               float64 // equal error rate, FVC definition
	FMR100, FMR1000   float64 // lowest FNMR with FMR ≤ 1%, ≤ 0.1%
	ZeroFMR           float64 // lowest FNMR with no false match
	// Threshold1000 is the lowest score threshold with FMR ≤ 0.1%.
	Threshold1000 float64
}

// ComputeRates evaluates scores where a comparison matches when its score
// is at least the threshold.
func ComputeRates(genuine, impostor []float64) Rates {
	g := append([]float64(nil), genuine...)
	im := append([]float64(nil), impostor...)
	sort.Float64s(g)
	sort.Float64s(im)
	r := Rates{Genuine: len(g), Impostor: len(im)}
	ts := thresholds(g, im)
	fmr := func(t float64) float64 { // fraction of impostors ≥ t
		return float64(len(im)-sort.SearchFloat64s(im, t)) / float64(max(len(im), 1))
	}
	fnmr := func(t float64) float64 { // fraction of genuines < t
		return float64(sort.SearchFloat64s(g, t)) / float64(max(len(g), 1))
	}
	r.FMR100, r.FMR1000, r.ZeroFMR = 1, 1, 1
	r.Threshold1000 = math.Inf(1)
	t1, t2 := math.Inf(-1), math.Inf(1)
	for _, t := range ts {
		a, b := fmr(t), fnmr(t)
		if a <= 0.01 {
			r.FMR100 = min(r.FMR100, b)
		}
		if a <= 0.001 {
			r.FMR1000 = min(r.FMR1000, b)
			r.Threshold1000 = min(r.Threshold1000, t)
		}
		if a == 0 {
			r.ZeroFMR = min(r.ZeroFMR, b)
		}
		if b <= a {
			t1 = max(t1, t)
		}
		if b >= a {
			t2 = min(t2, t)
		}
	}
	// FVC's EER: the interval where FNMR and FMR cross, taking its middle.
	var lo, hi float64
	if fnmr(t1)+fmr(t1) <= fnmr(t2)+fmr(t2) {
		lo, hi = fnmr(t1), fmr(t1)
	} else {
		lo, hi = fmr(t2), fnmr(t2)
	}
	r.EER = (lo + hi) / 2
	return r
}

// thresholds are every distinct score plus one above them all.
func thresholds(a, b []float64) []float64 {
	all := make([]float64, 0, len(a)+len(b)+1)
	all = append(all, a...)
	all = append(all, b...)
	sort.Float64s(all)
	out := all[:0]
	for i, v := range all {
		if i == 0 || v != all[i-1] {
			out = append(out, v)
		}
	}
	if len(out) > 0 {
		out = append(out, math.Nextafter(out[len(out)-1], math.Inf(1)))
	}
	return out
}

// DETPoint is one operating point of a DET curve.
type DETPoint struct{ FMR, FNMR float64 }

// DET lists the operating points of the scores, one per distinct threshold.
func DET(genuine, impostor []float64) []DETPoint {
	g := append([]float64(nil), genuine...)
	im := append([]float64(nil), impostor...)
	sort.Float64s(g)
	sort.Float64s(im)
	var out []DETPoint
	for _, t := range thresholds(g, im) {
		out = append(out, DETPoint{
			FMR:  float64(len(im)-sort.SearchFloat64s(im, t)) / float64(max(len(im), 1)),
			FNMR: float64(sort.SearchFloat64s(g, t)) / float64(max(len(g), 1)),
		})
	}
	return out
}
