package eval

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// A small raster plotter: enough for a DET curve and two histograms, drawn
// with the standard library and one bitmap font, so the engine carries no
// plotting dependency.

var (
	colGenuine  = color.RGBA{0x1f, 0x77, 0xb4, 0xff}
	colImpostor = color.RGBA{0xd6, 0x27, 0x28, 0xff}
	colAxis     = color.RGBA{0x33, 0x33, 0x33, 0xff}
	colGrid     = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

type canvas struct {
	img                    *image.RGBA
	left, top, right, bott int // plot area in pixels
}

func newCanvas(w, h int) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	return &canvas{img: img, left: 70, top: 50, right: w - 20, bott: h - 55}
}

func (c *canvas) text(x, y int, s string, col color.Color) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func (c *canvas) textCentered(x, y int, s string) { c.text(x-len(s)*7/2, y, s, colAxis) }

// line draws a line of the given thickness (Bresenham, square brush).
func (c *canvas) line(x0, y0, x1, y1, th int, col color.Color) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	err := dx + dy
	for {
		for i := -th / 2; i <= th/2; i++ {
			for j := -th / 2; j <= th/2; j++ {
				c.img.Set(x0+i, y0+j, col)
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			x0 += sx
		}
		if e2 <= dx {
			err += dx
			y0 += sy
		}
	}
}

func (c *canvas) rect(r image.Rectangle, col color.Color) {
	draw.Draw(c.img, r.Intersect(c.img.Bounds()), image.NewUniform(col), image.Point{}, draw.Over)
}

func (c *canvas) frame() {
	c.line(c.left, c.bott, c.right, c.bott, 1, colAxis)
	c.line(c.left, c.top, c.left, c.bott, 1, colAxis)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

// WriteDET draws FNMR against FMR on log-log axes from 1e-4 (or 1/N) to 1,
// with the EER and the FMR targets marked.
func (r *Report) WriteDET(w io.Writer, title string) error {
	c := newCanvas(640, 520)
	lo := math.Floor(math.Log10(1 / float64(len(r.impostor))))
	lo = max(-5, min(-2, lo))
	px := func(v float64) int {
		v = math.Log10(max(v, math.Pow(10, lo)))
		return c.left + int(float64(c.right-c.left)*(v-lo)/-lo)
	}
	py := func(v float64) int {
		v = math.Log10(max(v, math.Pow(10, lo)))
		return c.bott - int(float64(c.bott-c.top)*(v-lo)/-lo)
	}
	for e := lo; e <= 0; e++ {
		v := math.Pow(10, e)
		c.line(px(v), c.top, px(v), c.bott, 1, colGrid)
		c.line(c.left, py(v), c.right, py(v), 1, colGrid)
		lbl := fmt.Sprintf("1e%d", int(e))
		if e == 0 {
			lbl = "1"
		}
		c.textCentered(px(v), c.bott+16, lbl)
		c.text(c.left-40, py(v)+4, lbl, colAxis)
	}
	c.frame()
	// Diagonal FMR = FNMR, where the EER lies.
	c.line(px(math.Pow(10, lo)), py(math.Pow(10, lo)), px(1), py(1), 1, colGrid)
	var x0, y0 int
	for i, p := range r.DET {
		x, y := px(p.FMR), py(p.FNMR)
		if i > 0 {
			c.line(x0, y0, x, y, 2, colGenuine)
		}
		x0, y0 = x, y
	}
	c.rect(image.Rect(px(r.EER)-4, py(r.EER)-4, px(r.EER)+5, py(r.EER)+5), colImpostor)
	c.text(px(r.EER)+8, py(r.EER)+4, fmt.Sprintf("EER %.3f", r.EER), colImpostor)
	for i, p := range r.AtFMR {
		x := px(p.TargetFMR)
		c.line(x, c.top, x, c.bott, 1, colImpostor)
		c.text(x+3, c.bott-10-14*i, fmt.Sprintf("FNMR %.3f", p.FNMR), colImpostor)
	}
	c.textCentered((c.left+c.right)/2, c.bott+40, "false match rate (FMR)")
	c.text(8, c.top-10, "false non-match rate (FNMR)", colAxis)
	c.textCentered((c.left+c.right)/2, 18, title)
	return png.Encode(w, c.img)
}

// WriteHistogram draws the genuine and impostor distance histograms, each
// normalised to its own total, with the FMR thresholds marked.
func (r *Report) WriteHistogram(w io.Writer, title string) error {
	c := newCanvas(640, 420)
	const bins = 60
	hi := math.Ceil(max(r.Genuine.Max, r.Impostor.Max)*10) / 10
	lo := math.Floor(min(r.Genuine.Min, r.Impostor.Min)*10) / 10
	hist := func(d []float64) []float64 {
		h := make([]float64, bins)
		for _, v := range d {
			h[min(bins-1, int((v-lo)/(hi-lo)*bins))]++
		}
		for i := range h {
			h[i] /= float64(len(d))
		}
		return h
	}
	hg, hm := hist(r.genuine), hist(r.impostor)
	top := 0.0
	for i := range hg {
		top = max(top, hg[i], hm[i])
	}
	bw := float64(c.right-c.left) / bins
	py := func(v float64) int { return c.bott - int(float64(c.bott-c.top)*v/top) }
	px := func(d float64) int { return c.left + int(float64(c.right-c.left)*(d-lo)/(hi-lo)) }
	for i := 0; i < bins; i++ {
		x := c.left + int(float64(i)*bw)
		x1 := c.left + int(float64(i+1)*bw)
		c.rect(image.Rect(x, py(hm[i]), x1, c.bott), color.NRGBA{0xd6, 0x27, 0x28, 0x80})
		c.rect(image.Rect(x, py(hg[i]), x1, c.bott), color.NRGBA{0x1f, 0x77, 0xb4, 0x80})
	}
	for d := lo; d <= hi+1e-9; d += 0.1 {
		c.textCentered(px(d), c.bott+16, fmt.Sprintf("%.1f", d))
	}
	c.frame()
	for i, p := range r.AtFMR {
		x := px(p.Threshold)
		c.line(x, c.top, x, c.bott, 1, colAxis)
		c.text(x+3, c.top+14+14*i, fmt.Sprintf("FMR %g: %.3f", p.TargetFMR, p.Threshold), colAxis)
	}
	c.text(c.right-150, c.top+30, fmt.Sprintf("genuine  n=%d", len(r.genuine)), colGenuine)
	c.text(c.right-150, c.top+46, fmt.Sprintf("impostor n=%d", len(r.impostor)), colImpostor)
	c.textCentered((c.left+c.right)/2, c.bott+40, "Euclidean distance between descriptors")
	c.text(8, c.top-10, "fraction of pairs", colAxis)
	c.textCentered((c.left+c.right)/2, 18, title)
	return png.Encode(w, c.img)
}
