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
	out := &blockMap{f.BW, f.BH, make([]float32, len(f.Theta))}
	var sig [sigLen]float64
	var good []float64
	for by := 0; by < f.BH; by++ {
		for bx := 0; bx < f.BW; bx++ {
			i := by*f.BW + bx
			if !m.On[i] {
				continue
			}
			if !signature(p, f.Theta[i], bx, by, &sig) {
				continue
			}
			// Peaks: only their count and the first and last matter.
			first, last, peaks := 0, 0, 0
			lo, hi := sig[0], sig[0]
			for k := 1; k < sigLen-1; k++ {
				// Plain comparisons: the builtins' NaN and ±0 care is
				// not needed for means of grey levels, and costs.
				if sig[k] < lo {
					lo = sig[k]
				}
				if sig[k] > hi {
					hi = sig[k]
				}
				if sig[k] > sig[k-1] && sig[k] >= sig[k+1] {
					if peaks == 0 {
						first = k
					}
					last = k
					peaks++
				}
			}
			if peaks < 2 || hi-lo < 8 {
				continue
			}
			per := float64(last-first) / float64(peaks-1)
			if per >= minPeriod && per <= maxPeriod {
				out.V[i] = float32(per)
				good = append(good, per)
			}
		}
	}
	smoothPeriods(out, good)
	return out
}

// smoothPeriods fills the blocks of out without a reliable period (zero,
// or more than 35% off the median of good, the reliable ones) with that
// median, then smooths the whole field.
func smoothPeriods(out *blockMap, good []float64) {
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
	all := &mask{out.BW, out.BH, make([]bool, len(out.V))}
	for i := range all.On {
		all.On[i] = true
	}
	sm := blur(raw, out.BW, out.BH, k, all)
	ones := make([]float64, len(raw))
	for i := range ones {
		ones[i] = 1
	}
	norm := blur(ones, out.BW, out.BH, k, all)
	for i := range out.V {
		out.V[i] = float32(sm[i] / norm[i])
	}
}

// The x-signature window: sigLen samples across the ridges, each the mean
// of sigWidth along them.
const sigLen, sigWidth = 32, 16

// signature fills sig with block (bx, by)'s x-signature across ridges at
// angle theta, and says whether every sample had pixels in the image.
// Sample positions are the same float64 expressions, summed in the same
// order, as one pixel at a time; four samples are summed side by side
// (their additions overlap), and windows wholly inside the image skip the
// bounds checks.
func signature(p *plane, theta float32, bx, by int, sig *[sigLen]float64) bool {
	t := float64(theta)
	ct, st := math.Cos(t), math.Sin(t) // along the ridge
	cx, cy := float64(bx*blockSize+blockSize/2), float64(by*blockSize+blockSize/2)
	// (cx + u·ct) and (cy + u·st) along the ridge; v·st and v·ct across it.
	var ax, ay [sigWidth]float64
	for d := range ax {
		u := float64(d - sigWidth/2)
		ax[d], ay[d] = cx+u*ct, cy+u*st
	}
	var vx, vy [sigLen]float64
	for k := range vx {
		v := float64(k - sigLen/2)
		vx[k], vy[k] = v*st, v*ct
	}
	// Every sample lies within √(8²+16²) < 18 pixels of the centre.
	const reach = 19
	if cx-reach < 0 || cy-reach < 0 || cx+reach >= float64(p.W) || cy+reach >= float64(p.H) {
		return signatureEdge(p, &ax, &ay, &vx, &vy, sig)
	}
	w := p.W
	for k := 0; k < sigLen; k += 4 {
		var s0, s1, s2, s3 float64
		for d := range ax {
			x, y := ax[d], ay[d]
			s0 += float64(p.Pix[int(y+vy[k])*w+int(x-vx[k])])
			s1 += float64(p.Pix[int(y+vy[k+1])*w+int(x-vx[k+1])])
			s2 += float64(p.Pix[int(y+vy[k+2])*w+int(x-vx[k+2])])
			s3 += float64(p.Pix[int(y+vy[k+3])*w+int(x-vx[k+3])])
		}
		sig[k], sig[k+1], sig[k+2], sig[k+3] = s0/sigWidth, s1/sigWidth, s2/sigWidth, s3/sigWidth
	}
	return true
}

// signatureEdge is signature near the image's edge: samples outside it
// are skipped, and a row with none fails the block.
func signatureEdge(p *plane, ax, ay *[sigWidth]float64, vx, vy *[sigLen]float64, sig *[sigLen]float64) bool {
	for k := 0; k < sigLen; k++ {
		var s float64
		n := 0
		for d := range ax {
			x := int(ax[d] - vx[k])
			y := int(ay[d] + vy[k])
			if x < 0 || y < 0 || x >= p.W || y >= p.H {
				continue
			}
			s += float64(p.Pix[y*p.W+x])
			n++
		}
		if n == 0 {
			return false
		}
		sig[k] = s / float64(n)
	}
	return true
}
