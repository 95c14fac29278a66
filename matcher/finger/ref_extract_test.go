package finger

// The extraction stages as they were before the speed work, kept as the
// reference the faster ones must equal bit for bit
// (TestStagesMatchReference) and as the baseline of BenchmarkStages.

import "math"

func refResample(img Image) *plane {
	g := img.Gray
	w, h := g.Rect.Dx(), g.Rect.Dy()
	ppi := img.PPI
	if ppi <= 0 {
		ppi = 500
	}
	s := 500 / ppi
	if math.Abs(s-1) < 0.02 {
		p := newPlane(w, h)
		for y := 0; y < h; y++ {
			row := g.Pix[y*g.Stride : y*g.Stride+w]
			for x, v := range row {
				p.Pix[y*w+x] = float32(v)
			}
		}
		return p
	}
	nw, nh := max(1, int(math.Round(float64(w)*s))), max(1, int(math.Round(float64(h)*s)))
	p := newPlane(nw, nh)
	for y := 0; y < nh; y++ {
		fy := min(max((float64(y)+0.5)/s-0.5, 0), float64(h-1))
		y0 := int(fy)
		y1 := min(y0+1, h-1)
		wy := float32(fy - float64(y0))
		for x := 0; x < nw; x++ {
			fx := min(max((float64(x)+0.5)/s-0.5, 0), float64(w-1))
			x0 := int(fx)
			x1 := min(x0+1, w-1)
			wx := float32(fx - float64(x0))
			a := float32(g.Pix[y0*g.Stride+x0])*(1-wx) + float32(g.Pix[y0*g.Stride+x1])*wx
			b := float32(g.Pix[y1*g.Stride+x0])*(1-wx) + float32(g.Pix[y1*g.Stride+x1])*wx
			p.Pix[y*nw+x] = a*(1-wy) + b*wy
		}
	}
	return p
}

// refBlockStats returns the mean and standard deviation of each block,
// measured over a window twice the block's side so that one ridge and one
// valley always fall inside it.
func refBlockStats(p *plane) (mean, std *blockMap) {
	bw, bh := (p.W+blockSize-1)/blockSize, (p.H+blockSize-1)/blockSize
	// Integral images of v and v².
	iw := p.W + 1
	s1 := make([]float64, iw*(p.H+1))
	s2 := make([]float64, iw*(p.H+1))
	for y := 0; y < p.H; y++ {
		var r1, r2 float64
		for x := 0; x < p.W; x++ {
			v := float64(p.Pix[y*p.W+x])
			r1 += v
			r2 += v * v
			s1[(y+1)*iw+x+1] = s1[y*iw+x+1] + r1
			s2[(y+1)*iw+x+1] = s2[y*iw+x+1] + r2
		}
	}
	mean = &blockMap{bw, bh, make([]float32, bw*bh)}
	std = &blockMap{bw, bh, make([]float32, bw*bh)}
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			x0, y0 := max(bx*blockSize-blockSize/2, 0), max(by*blockSize-blockSize/2, 0)
			x1, y1 := min(bx*blockSize+blockSize*3/2, p.W), min(by*blockSize+blockSize*3/2, p.H)
			n := float64((x1 - x0) * (y1 - y0))
			a := s1[y1*iw+x1] - s1[y0*iw+x1] - s1[y1*iw+x0] + s1[y0*iw+x0]
			b := s2[y1*iw+x1] - s2[y0*iw+x1] - s2[y1*iw+x0] + s2[y0*iw+x0]
			m := a / n
			v := b/n - m*m
			if v < 0 {
				v = 0
			}
			mean.V[by*bw+bx] = float32(m)
			std.V[by*bw+bx] = float32(sqrt64(v))
		}
	}
	return mean, std
}

func refOrientation(p *plane, m *mask) *orientField {
	w, h := p.W, p.H
	bw, bh := m.BW, m.BH
	gxx := make([]float64, bw*bh)
	gyy := make([]float64, bw*bh)
	gxy := make([]float64, bw*bh)
	for y := 1; y < h-1; y++ {
		by := y / blockSize
		for x := 1; x < w-1; x++ {
			i := y*w + x
			pp := p.Pix
			gx := float64((pp[i-w+1] + 2*pp[i+1] + pp[i+w+1]) - (pp[i-w-1] + 2*pp[i-1] + pp[i+w-1]))
			gy := float64((pp[i+w-1] + 2*pp[i+w] + pp[i+w+1]) - (pp[i-w-1] + 2*pp[i-w] + pp[i-w+1]))
			b := by*bw + x/blockSize
			gxx[b] += gx * gx
			gyy[b] += gy * gy
			gxy[b] += gx * gy
		}
	}
	return flowField(&gradSums{m.BW, m.BH, gxx, gyy, gxy}, m)
}

func refRidgePeriod(p *plane, f *orientField, m *mask) *blockMap {
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
	smoothPeriods(out, good)
	return out
}

// refNormalize subtracts each block's local mean and divides by its contrast,
// interpolating block values bilinearly so block edges leave no seams.
func refNormalize(p *plane, mean, std *blockMap) *plane {
	out := newPlane(p.W, p.H)
	for y := 0; y < p.H; y++ {
		for x := 0; x < p.W; x++ {
			mu, sd := refBilinear(mean, x, y), refBilinear(std, x, y)
			out.Pix[y*p.W+x] = (p.Pix[y*p.W+x] - mu) / max(sd, normFloor)
		}
	}
	return out
}

func refBilinear(b *blockMap, x, y int) float32 {
	fx := (float32(x)+0.5)/blockSize - 0.5
	fy := (float32(y)+0.5)/blockSize - 0.5
	fx = min(max(fx, 0), float32(b.BW-1))
	fy = min(max(fy, 0), float32(b.BH-1))
	x0, y0 := int(fx), int(fy)
	x1, y1 := min(x0+1, b.BW-1), min(y0+1, b.BH-1)
	wx, wy := fx-float32(x0), fy-float32(y0)
	a := b.V[y0*b.BW+x0]*(1-wx) + b.V[y0*b.BW+x1]*wx
	c := b.V[y1*b.BW+x0]*(1-wx) + b.V[y1*b.BW+x1]*wx
	return a*(1-wy) + c*wy
}

// refEnhance filters each foreground pixel with the Gabor kernel tuned to its
// block's orientation and period: ridges are reinforced along their flow,
// and noise, pores and small breaks across it are smoothed away.
func refEnhance(n *plane, f *orientField, per *blockMap, m *mask) *plane {
	out := newPlane(n.W, n.H)
	for y := 0; y < n.H; y++ {
		for x := 0; x < n.W; x++ {
			bx, by := x/blockSize, y/blockSize
			bi := by*f.BW + bx
			if !m.On[bi] {
				continue
			}
			a := int(math.Round(float64(f.Theta[bi])/math.Pi*gaborAngles)) % gaborAngles
			pi := int(math.Round(float64(per.V[bi]))) - minPeriod
			pi = min(max(pi, 0), len(gaborBank)-1)
			k := &gaborBank[pi][a]
			var s float32
			if x >= gaborRadius && y >= gaborRadius && x < n.W-gaborRadius && y < n.H-gaborRadius {
				for ky := 0; ky < gaborSide; ky++ {
					row := n.Pix[(y+ky-gaborRadius)*n.W+x-gaborRadius:][:gaborSide]
					kr := k[ky*gaborSide:][:gaborSide]
					for kx, v := range row {
						s += v * kr[kx]
					}
				}
			} else {
				for ky := 0; ky < gaborSide; ky++ {
					yy := min(max(y+ky-gaborRadius, 0), n.H-1)
					for kx := 0; kx < gaborSide; kx++ {
						xx := min(max(x+kx-gaborRadius, 0), n.W-1)
						s += n.Pix[yy*n.W+xx] * k[ky*gaborSide+kx]
					}
				}
			}
			out.Pix[y*n.W+x] = s
		}
	}
	return out
}

func refThin(b *binary) *binary {
	s := &binary{b.W, b.H, append([]uint8(nil), b.Pix...)}
	w := s.W
	var del []int
	for changed := true; changed; {
		changed = false
		for step := 0; step < 2; step++ {
			del = del[:0]
			for y := 1; y < s.H-1; y++ {
				for x := 1; x < w-1; x++ {
					i := y*w + x
					if s.Pix[i] == 0 {
						continue
					}
					p2, p3, p4 := s.Pix[i-w], s.Pix[i-w+1], s.Pix[i+1]
					p5, p6, p7 := s.Pix[i+w+1], s.Pix[i+w], s.Pix[i+w-1]
					p8, p9 := s.Pix[i-1], s.Pix[i-w-1]
					n := p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9
					if n < 2 || n > 6 {
						continue
					}
					nb := [9]uint8{p2, p3, p4, p5, p6, p7, p8, p9, p2}
					a := 0
					for k := 0; k < 8; k++ {
						if nb[k] == 0 && nb[k+1] == 1 {
							a++
						}
					}
					if a != 1 {
						continue
					}
					if step == 0 && (p2*p4*p6 != 0 || p4*p6*p8 != 0) {
						continue
					}
					if step == 1 && (p2*p4*p8 != 0 || p2*p6*p8 != 0) {
						continue
					}
					del = append(del, i)
				}
			}
			for _, i := range del {
				s.Pix[i] = 0
			}
			changed = changed || len(del) > 0
		}
	}
	// Staircase removal: a pixel with two 4-neighbours at a right angle
	// whose diagonal between them is empty is redundant.
	for y := 1; y < s.H-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			if s.Pix[i] == 0 {
				continue
			}
			n, e, so, we := s.Pix[i-w], s.Pix[i+1], s.Pix[i+w], s.Pix[i-1]
			if (n == 1 && e == 1 && so == 0 && we == 0 && s.Pix[i+w-1] == 0) ||
				(e == 1 && so == 1 && n == 0 && we == 0 && s.Pix[i-w-1] == 0) ||
				(so == 1 && we == 1 && n == 0 && e == 0 && s.Pix[i-w+1] == 0) ||
				(we == 1 && n == 1 && so == 0 && e == 0 && s.Pix[i+w+1] == 0) {
				s.Pix[i] = 0
			}
		}
	}
	return s
}

// refBinarize marks ridges pixel by pixel through mask.pixel.
func refBinarize(e *plane, m *mask) *binary {
	b := &binary{e.W, e.H, make([]uint8, len(e.Pix))}
	for y := 0; y < e.H; y++ {
		for x := 0; x < e.W; x++ {
			if m.pixel(x, y) && e.Pix[y*e.W+x] < 0 {
				b.Pix[y*e.W+x] = 1
			}
		}
	}
	return b
}

// refSmoothBinary votes each pixel of the mask over its whole window,
// reading pixels outside the image as valley, and applies the same gate.
func refSmoothBinary(b *binary, m *mask) *binary {
	hi, lo := voteBounds()
	out := &binary{b.W, b.H, append([]uint8(nil), b.Pix...)}
	flips := 0
	for y := 0; y < b.H; y++ {
		for x := 0; x < b.W; x++ {
			if !m.pixel(x, y) {
				continue
			}
			n := 0
			for dy := -voteRadius; dy <= voteRadius; dy++ {
				for dx := -voteRadius; dx <= voteRadius; dx++ {
					n += int(b.get(x+dx, y+dy))
				}
			}
			v := b.Pix[y*b.W+x]
			if n > hi {
				v = 1
			} else if n < lo {
				v = 0
			}
			if v != b.Pix[y*b.W+x] {
				out.Pix[y*b.W+x] = v
				flips++
			}
		}
	}
	if float64(flips) < voteGate*float64(m.count()*blockSize*blockSize) {
		return b
	}
	return out
}
