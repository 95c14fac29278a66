// Package eval measures face-matching accuracy the biometric way: genuine
// and impostor distance distributions, EER, FNMR at fixed FMRs, DET curves
// and histograms, and the calibration table the station's decisions are
// made from. It is pure Go: descriptors come in, numbers and PNGs go out.
package eval

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
)

// Sample is one labelled descriptor.
type Sample struct {
	Label string // the person
	Name  string // where it came from (file name), for reports
	D     faceindex.Descriptor
}

// Pair is one comparison with its ground truth.
type Pair struct {
	Same     bool
	Distance float64
}

// AllPairs compares every sample with every other once.
func AllPairs(s []Sample) []Pair {
	var ps []Pair
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			ps = append(ps, Pair{s[i].Label == s[j].Label, float64(faceindex.Distance(&s[i].D, &s[j].D))})
		}
	}
	return ps
}

// Distribution summarises one set of distances.
type Distribution struct {
	N                                   int
	Min, P5, Median, Mean, P95, Max, SD float64
}

func summarize(d []float64) Distribution {
	if len(d) == 0 {
		return Distribution{}
	}
	q := func(p float64) float64 { return d[min(len(d)-1, int(p*float64(len(d))))] }
	var s, s2 float64
	for _, v := range d {
		s += v
		s2 += v * v
	}
	n := float64(len(d))
	mean := s / n
	return Distribution{len(d), d[0], q(0.05), q(0.5), mean, q(0.95), d[len(d)-1], math.Sqrt(max(0, s2/n-mean*mean))}
}

// OperatingPoint is a threshold with its error rates. A comparison matches
// when its distance is at most Threshold.
type OperatingPoint struct {
	TargetFMR float64 `json:"target_fmr,omitempty"`
	Threshold float64 `json:"threshold"`
	FMR       float64 `json:"fmr"`
	FNMR      float64 `json:"fnmr"`
	// Resolved is false when there are too few impostor pairs to observe
	// TargetFMR (fewer than 1/TargetFMR): the threshold is then below every
	// impostor distance, an optimistic guess, not a measurement.
	Resolved bool `json:"resolved"`
}

// Report is the outcome of one evaluation.
type Report struct {
	Genuine, Impostor   Distribution
	EER                 float64
	EERThreshold        float64
	AtFMR               []OperatingPoint // FNMR at FMR 1e-2 and 1e-3 (and any others asked)
	DET                 []OperatingPoint // the curve, one point per distinct threshold, thinned
	genuine, impostor   []float64        // sorted
	Accuracy06          float64          // pair accuracy at dlib's customary 0.6
	FMR06, FNMR06       float64
	GenuineN, ImpostorN int
}

// Evaluate computes the report for a set of pairs at the given FMR targets.
func Evaluate(pairs []Pair, targets ...float64) (*Report, error) {
	var g, im []float64
	for _, p := range pairs {
		if math.IsNaN(p.Distance) {
			return nil, fmt.Errorf("evaluate: NaN distance")
		}
		if p.Same {
			g = append(g, p.Distance)
		} else {
			im = append(im, p.Distance)
		}
	}
	if len(g) == 0 || len(im) == 0 {
		return nil, fmt.Errorf("evaluate: need genuine and impostor pairs, have %d and %d", len(g), len(im))
	}
	sort.Float64s(g)
	sort.Float64s(im)
	r := &Report{Genuine: summarize(g), Impostor: summarize(im), genuine: g, impostor: im, GenuineN: len(g), ImpostorN: len(im)}
	r.EER, r.EERThreshold = eer(g, im)
	for _, t := range targets {
		r.AtFMR = append(r.AtFMR, r.atFMR(t))
	}
	r.FMR06, r.FNMR06 = fmrAt(im, 0.6), fnmrAt(g, 0.6)
	r.Accuracy06 = 1 - (r.FMR06*float64(len(im))+r.FNMR06*float64(len(g)))/float64(len(im)+len(g))
	r.DET = det(g, im)
	return r, nil
}

// fmrAt is the fraction of impostor distances <= t; fnmrAt the fraction of
// genuine distances > t.
func fmrAt(im []float64, t float64) float64 {
	n, _ := slices.BinarySearch(im, math.Nextafter(t, math.Inf(1)))
	return float64(n) / float64(len(im))
}

func fnmrAt(g []float64, t float64) float64 {
	n, _ := slices.BinarySearch(g, math.Nextafter(t, math.Inf(1)))
	return float64(len(g)-n) / float64(len(g))
}

// atFMR picks the largest threshold whose FMR does not exceed target.
func (r *Report) atFMR(target float64) OperatingPoint {
	im := r.impostor
	allowed := int(math.Floor(target * float64(len(im))))
	var t float64
	if allowed == 0 {
		t = math.Nextafter(im[0], math.Inf(-1))
	} else {
		// Just below the first impostor distance that would exceed it.
		t = math.Nextafter(im[allowed], math.Inf(-1))
		if im[allowed] == im[allowed-1] {
			// Ties: step back below the whole run.
			i := allowed - 1
			for i > 0 && im[i-1] == im[allowed] {
				i--
			}
			t = math.Nextafter(im[i], math.Inf(-1))
		}
	}
	return OperatingPoint{
		TargetFMR: target, Threshold: t,
		FMR: fmrAt(im, t), FNMR: fnmrAt(r.genuine, t),
		Resolved: float64(len(im))*target >= 1,
	}
}

// eer finds where FMR and FNMR cross, scanning every distinct distance.
func eer(g, im []float64) (rate, threshold float64) {
	all := append(slices.Clone(g), im...)
	sort.Float64s(all)
	best := math.Inf(1)
	for _, t := range all {
		fm, fn := fmrAt(im, t), fnmrAt(g, t)
		if d := math.Abs(fm - fn); d < best {
			best, rate, threshold = d, (fm+fn)/2, t
		}
	}
	return rate, threshold
}

func det(g, im []float64) []OperatingPoint {
	all := append(slices.Clone(g), im...)
	sort.Float64s(all)
	all = slices.Compact(all)
	step := max(1, len(all)/2000)
	var pts []OperatingPoint
	for i := 0; i < len(all); i += step {
		t := all[i]
		pts = append(pts, OperatingPoint{Threshold: t, FMR: fmrAt(im, t), FNMR: fnmrAt(g, t), Resolved: true})
	}
	return pts
}

// Print writes the report as text.
func (r *Report) Print(w io.Writer) {
	pd := func(name string, d Distribution) {
		fmt.Fprintf(w, "  %-9s n=%-8d min %.3f  p5 %.3f  median %.3f  mean %.3f  p95 %.3f  max %.3f  sd %.3f\n",
			name, d.N, d.Min, d.P5, d.Median, d.Mean, d.P95, d.Max, d.SD)
	}
	fmt.Fprintln(w, "Euclidean distance distributions:")
	pd("genuine", r.Genuine)
	pd("impostor", r.Impostor)
	fmt.Fprintf(w, "EER %.4f at threshold %.4f\n", r.EER, r.EERThreshold)
	for _, p := range r.AtFMR {
		note := ""
		if !p.Resolved {
			note = fmt.Sprintf("  (NOT RESOLVED: %d impostor pairs cannot measure FMR %g)", len(r.impostor), p.TargetFMR)
		}
		fmt.Fprintf(w, "FNMR %.4f at FMR %g (measured FMR %.5f) threshold %.4f%s\n", p.FNMR, p.TargetFMR, p.FMR, p.Threshold, note)
	}
	fmt.Fprintf(w, "at dlib's customary 0.6: FMR %.4f  FNMR %.4f  pair accuracy %.4f\n", r.FMR06, r.FNMR06, r.Accuracy06)
}
