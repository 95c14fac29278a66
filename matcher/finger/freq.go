package finger

import (
	"math"
	"sort"
)

// Ridge periods outside this range (pixels at 500 ppi) are not fingerprints.
const (
	minPeriod = 5
	maxPeriod = 15
)

// ridgePeriod estimates the ridge period of each block from its
// x-signature: grey levels averaged along the ridges in a 32×16 window and
// read across them; the mean distance between its peaks is the period.
// Blocks without a clear signature take the median of the reliable ones,
// then the field is smoothed.
func ridgePeriod(p *plane, f *orientField, m *mask) *blockMap {
	const L, W = 32, 16
	out := &blockMap{f.BW, f.BH, make([]float32, len(f.Theta))}
	var sig [L]float64
	var good []float64
	for by := 0; by < f.BH; by++ {
		for bx := 0; bx < f.BW; bx++ {
			i := by*f.BW + bx
			if !m.On[i] {
				continue
			}
			t := float64(f.Theta[i])
			ct, st := math.Cos(t), math.Sin(t) // along the ridge
			cx, cy := float64(bx*blockSize+blockSize/2), float64(by*blockSize+blockSize/2)
			ok := true
			for k := 0; k < L && ok; k++ {
				var s float64
				n := 0
				for d := 0; d < W; d++ {
					u, v := float64(d-W/2), float64(k-L/2) // v runs across the ridges
					x := int(cx + u*ct - v*st)
					y := int(cy + u*st + v*ct)
					if x < 0 || y < 0 || x >= p.W || y >= p.H {
						continue
					}
					s += float64(p.Pix[y*p.W+x])
					n++
				}
				if n == 0 {
					ok = false
					break
				}
				sig[k] = s / float64(n)
			}
			if !ok {
				continue
			}
			var peaks []int
			lo, hi := sig[0], sig[0]
			for k := 1; k < L-1; k++ {
				lo, hi = min(lo, sig[k]), max(hi, sig[k])
				if sig[k] > sig[k-1] && sig[k] >= sig[k+1] {
					peaks = append(peaks, k)
				}
			}
			if len(peaks) < 2 || hi-lo < 8 {
				continue
			}
			per := float64(peaks[len(peaks)-1]-peaks[0]) / float64(len(peaks)-1)
			if per >= minPeriod && per <= maxPeriod {
				out.V[i] = float32(per)
				good = append(good, per)
			}
		}
	}
	med := 9.0
	if len(good) > 0 {
		sort.Float64s(good)
		med = good[len(good)/2]
	}
	raw := make([]float64, len(out.V))
	for i, v := range out.V {
		if v == 0 || math.Abs(float64(v)-med) > med*0.35 {
			raw[i] = med
		} else {
			raw[i] = float64(v)
		}
	}
	k := []float64{0.25, 0.5, 1, 0.5, 0.25}
	all := &mask{m.BW, m.BH, make([]bool, len(m.On))}
	for i := range all.On {
		all.On[i] = true
	}
	sm := blur(raw, f.BW, f.BH, k, all)
	ones := make([]float64, len(raw))
	for i := range ones {
		ones[i] = 1
	}
	norm := blur(ones, f.BW, f.BH, k, all)
	for i := range out.V {
		out.V[i] = float32(sm[i] / norm[i])
	}
	return out
}
