package face

import (
	_ "embed"
	"fmt"
	"math"
	"sync"

	"github.com/dinhdanh/dinhdanh/matcher/face/eval"
	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
)

// calibrationJSON is the shipped calibration, written by
//
//	station eval face --descriptors ../shared/data/faces/idols/idols.json \
//	    --write-calibration matcher/face/calibration.json --note ...
//
// Its "source", "model" and "notes" fields say what data it came from and
// how far it can be trusted.
//
//go:embed calibration.json
var calibrationJSON []byte

var (
	defaultCalOnce sync.Once
	defaultCal     *eval.Calibration
	defaultCalErr  error
)

// DefaultCalibration returns the shipped calibration.
func DefaultCalibration() (*eval.Calibration, error) {
	defaultCalOnce.Do(func() { defaultCal, defaultCalErr = eval.ParseCalibration(calibrationJSON) })
	return defaultCal, defaultCalErr
}

// DefaultTargetFMR is the false match rate the station's 1:1 decisions are
// made at. Deployments usually aim at 1e-4; the shipped calibration cannot
// reach a usable FNMR there on East Asian faces with this model (see
// calibration.json), which is why the face decision is fused with the
// fingerprint and chip checks rather than trusted alone.
const DefaultTargetFMR = 1e-3

// Matcher turns descriptor distances into decisions at a calibrated FMR.
type Matcher struct {
	cal       *eval.Calibration
	targetFMR float64
	threshold float64
}

// NewMatcher returns a matcher deciding at targetFMR, which cal must hold a
// threshold for.
func NewMatcher(cal *eval.Calibration, targetFMR float64) (*Matcher, error) {
	op, err := cal.Threshold(targetFMR)
	if err != nil {
		return nil, fmt.Errorf("face matcher: %w", err)
	}
	return &Matcher{cal: cal, targetFMR: targetFMR, threshold: op.Threshold}, nil
}

// DefaultMatcher decides at DefaultTargetFMR on the shipped calibration.
func DefaultMatcher() (*Matcher, error) {
	cal, err := DefaultCalibration()
	if err != nil {
		return nil, err
	}
	return NewMatcher(cal, DefaultTargetFMR)
}

// Decision is the outcome of comparing two descriptors.
type Decision struct {
	Distance float64 // Euclidean
	// FMR is the fraction of different-person pairs of the calibration
	// data at this distance or closer: the chance that accepting this
	// comparison accepts an impostor. When FMRIsBound is set the distance
	// was below every impostor pair seen and FMR is only an upper bound.
	FMR        float64
	FMRIsBound bool
	// Score is 0–100, higher more similar: 20·(−log10 FMR), so FMR 1e-2
	// scores 40, 1e-3 60, 1e-4 80. Being a log-likelihood-like number it
	// can be fused with the fingerprint engine's scores.
	Score int
	// Match reports Distance <= Threshold, the distance at TargetFMR.
	Match     bool
	Threshold float64
	TargetFMR float64
}

func (d Decision) String() string {
	verdict := "no match"
	if d.Match {
		verdict = "match"
	}
	bound := ""
	if d.FMRIsBound {
		bound = "<"
	}
	return fmt.Sprintf("%s: distance %.3f, score %d, FMR %s%.1e (threshold %.3f at FMR %.0e)",
		verdict, d.Distance, d.Score, bound, d.FMR, d.Threshold, d.TargetFMR)
}

// Compare decides whether a and b are the same person.
func (m *Matcher) Compare(a, b *faceindex.Descriptor) Decision {
	return m.Decide(float64(faceindex.Distance(a, b)))
}

// Decide turns a distance (e.g. from a faceindex search) into a decision.
func (m *Matcher) Decide(distance float64) Decision {
	fmr, bound := m.cal.FMR(distance)
	score := 0
	if fmr > 0 {
		score = int(math.Round(min(100, max(0, -20*math.Log10(fmr)))))
	}
	return Decision{
		Distance: distance, FMR: fmr, FMRIsBound: bound, Score: score,
		Match: distance <= m.threshold, Threshold: m.threshold, TargetFMR: m.targetFMR,
	}
}

// Calibration returns the calibration the matcher decides on.
func (m *Matcher) Calibration() *eval.Calibration { return m.cal }
