package finger

import (
	"math"
	"testing"
)

func TestThresholdForFMR(t *testing.T) {
	for _, tc := range []struct {
		fmr, thr, cal float64
	}{
		{0.01, DefaultThreshold, 0.01},
		{1e-3, DefaultThreshold, 1e-3},
		{math.NaN(), DefaultThreshold, 1e-3},
		{1e-4, 0.0273, 1e-4},
		{math.Sqrt(1e-4 * 1e-5), (0.0273 + 0.0463) / 2, math.Sqrt(1e-4 * 1e-5)},
		{1e-5, 0.0463, 1e-5},
		{1e-9, 0.0463, 1e-5},
		{0, 0.0463, 1e-5},
	} {
		thr, cal := ThresholdForFMR(tc.fmr)
		if math.Abs(thr-tc.thr) > 1e-9 || !(math.Abs(cal-tc.cal) <= 1e-12*tc.cal) {
			t.Errorf("ThresholdForFMR(%g) = %g, %g; want %g, %g", tc.fmr, thr, cal, tc.thr, tc.cal)
		}
	}
	// Lower rates never lower the threshold.
	prev := 0.0
	for e := -1.0; e >= -7; e -= 0.05 {
		thr, _ := ThresholdForFMR(math.Pow(10, e))
		if thr < prev {
			t.Fatalf("threshold falls at FMR 1e%.2f: %g < %g", e, thr, prev)
		}
		prev = thr
	}
}
