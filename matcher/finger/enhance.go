package finger

import "math"

// Gabor filter bank: orientations × ridge periods, built once.
const (
	gaborAngles = 16
	gaborRadius = 6
	gaborSide   = 2*gaborRadius + 1
)

type gaborKernel [gaborSide * gaborSide]float32

var gaborBank = func() [][gaborAngles]gaborKernel {
	bank := make([][gaborAngles]gaborKernel, maxPeriod-minPeriod+1)
	for pi := range bank {
		per := float64(minPeriod + pi)
		sx, sy := 0.5*per, 0.55*per // across / along the ridges
		for a := 0; a < gaborAngles; a++ {
			t := float64(a) * math.Pi / gaborAngles
			ct, st := math.Cos(t), math.Sin(t)
			k := &bank[pi][a]
			var sum float64
			for y := -gaborRadius; y <= gaborRadius; y++ {
				for x := -gaborRadius; x <= gaborRadius; x++ {
					u := float64(x)*ct + float64(y)*st  // along ridge
					v := -float64(x)*st + float64(y)*ct // across
					g := math.Exp(-0.5*(u*u/(sy*sy)+v*v/(sx*sx))) * math.Cos(2*math.Pi*v/per)
					k[(y+gaborRadius)*gaborSide+x+gaborRadius] = float32(g)
					sum += g
				}
			}
			// Zero mean: flat areas give zero response, whatever their grey.
			d := float32(sum / (gaborSide * gaborSide))
			for i := range k {
				k[i] -= d
			}
		}
	}
	return bank
}()

// normalize subtracts each block's local mean and divides by its contrast,
// interpolating block values bilinearly so block edges leave no seams.
func normalize(p *plane, mean, std *blockMap) *plane {
	out := newPlane(p.W, p.H)
	for y := 0; y < p.H; y++ {
		for x := 0; x < p.W; x++ {
			mu, sd := bilinear(mean, x, y), bilinear(std, x, y)
			out.Pix[y*p.W+x] = (p.Pix[y*p.W+x] - mu) / max(sd, 4)
		}
	}
	return out
}

func bilinear(b *blockMap, x, y int) float32 {
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

// enhance filters each foreground pixel with the Gabor kernel tuned to its
// block's orientation and period: ridges are reinforced along their flow,
// and noise, pores and small breaks across it are smoothed away.
func enhance(n *plane, f *orientField, per *blockMap, m *mask) *plane {
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
