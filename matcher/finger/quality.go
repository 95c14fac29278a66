package finger

import (
	"fmt"
	"strings"
)

// Feedback is one actionable reason why a capture is poor.
type Feedback string

// Reasons the scanner screen can show to ask for another capture.
const (
	Blank          Feedback = "blank: no finger on the sensor"
	WrongSize      Feedback = "image size is not that of a fingerprint scanner"
	TooDark        Feedback = "too dark: press lighter or dry the finger"
	TooLight       Feedback = "too light: press firmer or moisten the finger"
	TooSmall       Feedback = "finger area too small: place the finger flat and centred"
	TooFewMinutiae Feedback = "too few minutiae: roll less, press the core of the finger"
	Smudged        Feedback = "smudged or unclear ridges: clean the sensor and hold still"
	NotFingerprint Feedback = "no ridge pattern found: not a fingerprint"
)

// Quality scores a capture 0–100 (higher is better) with feedback. It is
// in the spirit of NFIQ 2 (ISO/IEC 29794-4) — foreground area, contrast,
// orientation coherence, ridge period, minutiae count and quality — but it
// is our own measure, not NFIQ 2, and its scores are not NFIQ 2 scores.
type Quality struct {
	Score    int
	Feedback []Feedback
}

// OK reports whether the capture is good enough to enrol or match.
func (q Quality) OK(threshold int) bool { return q.Score >= threshold }

// String is the score followed by the feedback, as logs and the eval print it.
func (q Quality) String() string {
	if len(q.Feedback) == 0 {
		return fmt.Sprintf("%d", q.Score)
	}
	f := make([]string, len(q.Feedback))
	for i, v := range q.Feedback {
		f[i] = string(v)
	}
	return fmt.Sprintf("%d (%s)", q.Score, strings.Join(f, "; "))
}

// Limits of the image sizes we accept at 500 ppi: a little wider than the
// 197–799 × 197–999 px NFIQ 2 handles, to keep small capacitive sensors.
const (
	minSide  = 150
	maxSideW = 1000
	maxSideH = 1200
)

// qualityInputs are the stage measurements quality is computed from.
type qualityInputs struct {
	W, H         int
	GlobalStd    float64
	FgMean       float64 // raw grey mean inside the mask
	FgContrast   float64 // mean block std inside the mask
	FgBlocks     int
	TotalBlocks  int
	MeanCoh      float64
	CoherentFrac float64 // fraction of foreground blocks with clear ridge flow
	Minutiae     int
	MeanMinQual  float64
}

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

// quality turns stage measurements into a score and feedback. A score of 0
// means there is no usable fingerprint, and no template is produced.
func quality(in qualityInputs) Quality {
	var q Quality
	if in.W < minSide || in.H < minSide || in.W > maxSideW || in.H > maxSideH {
		return Quality{0, []Feedback{WrongSize}}
	}
	if in.GlobalStd < 4 || in.FgBlocks == 0 {
		return Quality{0, []Feedback{Blank}}
	}
	// Area in mm² at 500 ppi: one 8-px block is 0.163 mm².
	area := float64(in.FgBlocks) * 0.1639
	if in.MeanCoh < 0.12 || in.CoherentFrac < 0.1 {
		return Quality{0, []Feedback{NotFingerprint}}
	}
	if area < 40 {
		return Quality{0, []Feedback{TooSmall}}
	}
	score := 100.0
	fa := clamp01((area - 40) / 100)
	if fa < 1 {
		q.Feedback = append(q.Feedback, TooSmall)
	}
	score *= 0.4 + 0.6*fa
	if in.FgMean < 60 && in.FgContrast < 30 {
		q.Feedback = append(q.Feedback, TooDark)
		score *= 0.7
	} else if in.FgMean > 200 && in.FgContrast < 30 {
		q.Feedback = append(q.Feedback, TooLight)
		score *= 0.7
	}
	fc := clamp01((in.MeanCoh - 0.12) / 0.5)
	if fc < 0.5 {
		q.Feedback = append(q.Feedback, Smudged)
	}
	score *= 0.3 + 0.7*fc
	fm := clamp01(float64(in.Minutiae-8) / 20)
	if in.Minutiae < 12 {
		q.Feedback = append(q.Feedback, TooFewMinutiae)
	}
	score *= 0.3 + 0.7*fm
	if in.Minutiae < 5 {
		return Quality{0, append(q.Feedback[:0:0], TooFewMinutiae)}
	}
	q.Score = max(1, min(100, int(score+0.5)))
	return q
}
