package finger

import (
	"image"
	"image/color"
	"math"
)

// orientField holds, per block, the ridge orientation in [0, π) (image
// coordinates, y down) and its coherence in [0, 1].
type orientField struct {
	BW, BH    int
	Theta     []float32
	Coherence []float32
}

// orientation estimates ridge flow from averaged squared gradients, the
// standard least-squares estimate, smoothed as doubled-angle vectors so
// that opposite gradients reinforce instead of cancelling.
func orientation(p *plane, m *mask) *orientField {
	return flowField(gradients(p), m)
}

// gradSums are per-block sums of gx², gy² and gx·gy.
type gradSums struct {
	BW, BH     int
	XX, YY, XY []float64
}

// gradients sums the squared Sobel gradients of each block.
func gradients(p *plane) *gradSums {
	w, h := p.W, p.H
	bw, bh := (w+blockSize-1)/blockSize, (h+blockSize-1)/blockSize
	gxx := make([]float64, bw*bh)
	gyy := make([]float64, bw*bh)
	gxy := make([]float64, bw*bh)
	// The Sobel sums are shared between neighbours: down each column
	// (up + 2·mid + dn) for gx, along each row (left + 2·centre + right)
	// for gy, each the same float32 expression as per pixel. Each block's
	// sums stay in registers along its run of a row, added to in the same
	// order as pixel by pixel.
	col := make([]float32, w)
	rows := [3][]float32{make([]float32, w), make([]float32, w), make([]float32, w)}
	if h >= 3 {
		sobelRow(rows[0], p.Pix[:w])
		sobelRow(rows[1], p.Pix[w:][:w])
	}
	for y := 1; y < h-1; y++ {
		sobelCol(col, p.Pix[(y-1)*w:][:w], p.Pix[y*w:][:w], p.Pix[(y+1)*w:][:w])
		rsUp, rsDn := rows[(y-1)%3], rows[(y+1)%3]
		sobelRow(rsDn, p.Pix[(y+1)*w:][:w])
		row := (y / blockSize) * bw
		for bx := 0; bx < bw; bx++ {
			b := row + bx
			sxx, syy, sxy := gxx[b], gyy[b], gxy[b]
			for x := max(bx*blockSize, 1); x < min(bx*blockSize+blockSize, w-1); x++ {
				gx := float64(col[x+1] - col[x-1])
				gy := float64(rsDn[x] - rsUp[x])
				sxx += gx * gx
				syy += gy * gy
				sxy += gx * gy
			}
			gxx[b], gyy[b], gxy[b] = sxx, syy, sxy
		}
	}
	return &gradSums{bw, bh, gxx, gyy, gxy}
}

// flowField turns per-block sums of gx², gy² and gx·gy into ridge
// orientation and coherence.
func flowField(g *gradSums, m *mask) *orientField {
	bw, bh := m.BW, m.BH
	gxx, gyy, gxy := g.XX, g.YY, g.XY
	// Doubled-angle vectors, averaged over a Gaussian neighbourhood of blocks.
	vx := make([]float64, bw*bh)
	vy := make([]float64, bw*bh)
	den := make([]float64, bw*bh)
	for i := range vx {
		vx[i] = gxx[i] - gyy[i]
		vy[i] = 2 * gxy[i]
		den[i] = gxx[i] + gyy[i]
	}
	const r = 2
	var k [2*r + 1]float64
	for i := -r; i <= r; i++ {
		k[i+r] = math.Exp(-float64(i*i) / (2 * 1.5 * 1.5))
	}
	sx, sy, sd := blur(vx, bw, bh, k[:], m), blur(vy, bw, bh, k[:], m), blur(den, bw, bh, k[:], m)
	f := &orientField{bw, bh, make([]float32, bw*bh), make([]float32, bw*bh)}
	for i := range sx {
		// Gradient angle is half the doubled angle; ridges run across it.
		t := 0.5*math.Atan2(sy[i], sx[i]) + math.Pi/2
		if t >= math.Pi {
			t -= math.Pi
		}
		f.Theta[i] = float32(t)
		if sd[i] > 0 {
			f.Coherence[i] = float32(math.Hypot(sx[i], sy[i]) / sd[i])
		}
	}
	return f
}

// sobelRow sets dst[x] to src[x-1] + 2·src[x] + src[x+1] inside the row.
func sobelRow(dst, src []float32) {
	if len(src) < 3 {
		return
	}
	dst = dst[:len(src)]
	for x := 1; x < len(src)-1; x++ {
		dst[x] = src[x-1] + 2*src[x] + src[x+1]
	}
}

// sobelCol sets dst[x] to up[x] + 2·mid[x] + dn[x].
func sobelCol(dst, up, mid, dn []float32) {
	up, mid, dn = up[:len(dst)], mid[:len(dst)], dn[:len(dst)]
	for x := range dst {
		dst[x] = up[x] + 2*mid[x] + dn[x]
	}
}

// blur smooths a block grid with separable kernel k over foreground blocks.
func blur(v []float64, bw, bh int, k []float64, m *mask) []float64 {
	r := len(k) / 2
	tmp := make([]float64, len(v))
	out := make([]float64, len(v))
	for y := 0; y < bh; y++ {
		for x := 0; x < bw; x++ {
			var s float64
			for d := -r; d <= r; d++ {
				xx := x + d
				if xx >= 0 && xx < bw && m.On[y*bw+xx] {
					s += k[d+r] * v[y*bw+xx]
				}
			}
			tmp[y*bw+x] = s
		}
	}
	for y := 0; y < bh; y++ {
		for x := 0; x < bw; x++ {
			var s float64
			for d := -r; d <= r; d++ {
				yy := y + d
				if yy >= 0 && yy < bh {
					s += k[d+r] * tmp[yy*bw+x]
				}
			}
			out[y*bw+x] = s
		}
	}
	return out
}

// toImage draws a short line per block along the ridge orientation.
func (f *orientField) toImage(m *mask) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, f.BW*blockSize, f.BH*blockSize))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	for by := 0; by < f.BH; by++ {
		for bx := 0; bx < f.BW; bx++ {
			if !m.On[by*f.BW+bx] {
				continue
			}
			t := float64(f.Theta[by*f.BW+bx])
			cx, cy := float64(bx*blockSize+blockSize/2), float64(by*blockSize+blockSize/2)
			for s := -3.0; s <= 3; s += 0.5 {
				g.SetGray(int(cx+s*math.Cos(t)), int(cy+s*math.Sin(t)), color.Gray{0})
			}
		}
	}
	return g
}

func sqrt64(v float64) float64 { return math.Sqrt(v) }
