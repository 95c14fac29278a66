package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Calibration maps a descriptor distance onto the false match rate it
// corresponds to on a labelled data set, and names the thresholds at the
// FMRs the station decides at. It is stored as JSON together with a note of
// the data it came from.
type Calibration struct {
	// Source says what data and model produced the numbers.
	Source    string  `json:"source"`
	Model     string  `json:"model"`
	Created   string  `json:"created"`
	Genuine   int     `json:"genuine_pairs"`
	Impostor  int     `json:"impostor_pairs"`
	EER       float64 `json:"eer"`
	EERThresh float64 `json:"eer_threshold"`
	// Thresholds at target FMRs (1e-2, 1e-3, ...).
	Thresholds []OperatingPoint `json:"thresholds"`
	// Curve lists (distance, FMR) with distance ascending: FMR is the
	// fraction of impostor pairs at or below the distance.
	Curve []CurvePoint `json:"curve"`
	// Notes for the reader: limits of the data, cross-checks.
	Notes []string `json:"notes,omitempty"`
}

// CurvePoint is one point of the impostor distance CDF.
type CurvePoint struct {
	Distance float64 `json:"d"`
	FMR      float64 `json:"fmr"`
}

// Calibrate builds a calibration from a report.
func (r *Report) Calibrate(source, model, created string) *Calibration {
	c := &Calibration{
		Source: source, Model: model, Created: created,
		Genuine: len(r.genuine), Impostor: len(r.impostor),
		EER: r.EER, EERThresh: r.EERThreshold, Thresholds: r.AtFMR,
	}
	// Log-spaced FMRs from 1/N to 1, each with its distance: dense where
	// the decisions are made, a few hundred points in all.
	im := r.impostor
	n := float64(len(im))
	last := -1
	for e := math.Log10(1 / n); e <= 0; e += 0.02 {
		i := min(len(im)-1, int(math.Ceil(math.Pow(10, e)*n))-1)
		if i <= last {
			continue
		}
		last = i
		c.Curve = append(c.Curve, CurvePoint{im[i], float64(i+1) / n})
	}
	return c
}

// FMR returns the false match rate of accepting distance d, interpolated
// (log-linearly) on the curve. Below the smallest impostor distance seen it
// returns the floor 1/(2N) and below=true: the data cannot tell a smaller
// rate apart from zero.
func (c *Calibration) FMR(d float64) (fmr float64, below bool) {
	cv := c.Curve
	if len(cv) == 0 {
		return math.NaN(), false
	}
	if d < cv[0].Distance {
		return 1 / (2 * float64(c.Impostor)), true
	}
	i := sort.Search(len(cv), func(i int) bool { return cv[i].Distance > d })
	if i == len(cv) {
		return 1, false
	}
	a, b := cv[i-1], cv[i]
	if b.Distance == a.Distance {
		return a.FMR, false
	}
	f := (d - a.Distance) / (b.Distance - a.Distance)
	return math.Exp(math.Log(a.FMR) + f*(math.Log(b.FMR)-math.Log(a.FMR))), false
}

// Threshold returns the stored threshold for a target FMR.
func (c *Calibration) Threshold(targetFMR float64) (OperatingPoint, error) {
	for _, t := range c.Thresholds {
		if t.TargetFMR == targetFMR {
			return t, nil
		}
	}
	return OperatingPoint{}, fmt.Errorf("calibration has no threshold for FMR %g", targetFMR)
}

// ParseCalibration decodes and checks a calibration file.
func ParseCalibration(b []byte) (*Calibration, error) {
	var c Calibration
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse face calibration: %w", err)
	}
	if len(c.Curve) < 2 || c.Impostor <= 0 {
		return nil, fmt.Errorf("parse face calibration: empty curve")
	}
	for i := 1; i < len(c.Curve); i++ {
		p, q := c.Curve[i-1], c.Curve[i]
		if !(q.Distance >= p.Distance && q.FMR > p.FMR && q.FMR <= 1 && p.FMR > 0) {
			return nil, fmt.Errorf("parse face calibration: curve not increasing at point %d", i)
		}
	}
	return &c, nil
}
