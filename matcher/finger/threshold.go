package finger

import "math"

// pooledThresholds are the thresholds at which the pooled FVC impostors
// ("station eval finger --all": the ten image sets' extended impostors
// and every cross-sensor pair, about 280,000) reach each false match
// rate, FMR descending. The FNMR there is 13.7%, 21.5% and 35.7%. They
// hold while scores do not change: re-read them from the eval's pooled
// table whenever the engine's scores do.
var pooledThresholds = [...]struct{ FMR, Threshold float64 }{
	{1e-3, 0.0193},
	{1e-4, 0.0273},
	{1e-5, 0.0463},
}

// ThresholdForFMR returns the score threshold for a false match rate
// per comparison of at most fmr, and the rate it is calibrated for: never
// below DefaultThreshold; between the pooled FVC thresholds interpolated
// on log FMR; under the lowest rate those impostors can place (1e-5),
// that one's threshold, with calibrated = 1e-5. A 1:N search over N
// fingers wanting at most p false candidates per search asks for p/N.
func ThresholdForFMR(fmr float64) (threshold, calibrated float64) {
	first, last := pooledThresholds[0], pooledThresholds[len(pooledThresholds)-1]
	if math.IsNaN(fmr) {
		fmr = first.FMR
	}
	switch {
	case fmr >= first.FMR:
		return max(DefaultThreshold, first.Threshold), fmr
	case fmr <= last.FMR:
		return max(DefaultThreshold, last.Threshold), last.FMR
	}
	for k := 1; k < len(pooledThresholds); k++ {
		hi, lo := pooledThresholds[k-1], pooledThresholds[k]
		if fmr >= lo.FMR {
			f := math.Log(hi.FMR/fmr) / math.Log(hi.FMR/lo.FMR)
			return max(DefaultThreshold, hi.Threshold+f*(lo.Threshold-hi.Threshold)), fmr
		}
	}
	return max(DefaultThreshold, last.Threshold), last.FMR // not reached
}
