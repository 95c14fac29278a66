package eval

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
)

// Curve is one named DET curve to plot.
type Curve struct {
	Name   string
	Points []DETPoint
	Color  color.RGBA
}

// WriteDET draws DET curves (FNMR against FMR, both on log axes from
// 0.01% to 100%) as a PNG with decade grid lines. There is no text: the
// caller names the curves in its output (legend by colour).
func WriteDET(w io.Writer, curves []Curve) error {
	const W, H, pad = 600, 600, 40
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	const decades = 4 // 1e-4 … 1
	pos := func(v float64) float64 {
		v = max(v, 1e-4)
		return (math.Log10(v) + decades) / decades
	}
	grid := color.RGBA{210, 210, 210, 255}
	for d := 0; d <= decades; d++ {
		f := float64(d) / decades
		x := pad + int(f*(W-2*pad))
		y := H - pad - int(f*(H-2*pad))
		for t := pad; t <= W-pad; t++ {
			img.Set(t, y, grid)
			img.Set(x, H-t, grid)
		}
	}
	for _, c := range curves {
		var px, py int
		first := true
		for _, p := range c.Points {
			x := pad + int(pos(p.FMR)*(W-2*pad))
			y := H - pad - int(pos(p.FNMR)*(H-2*pad))
			if !first {
				line(img, px, py, x, y, c.Color)
			}
			px, py, first = x, y, false
		}
	}
	return png.Encode(w, img)
}

func line(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	n := max(abs(x1-x0), abs(y1-y0), 1)
	for i := 0; i <= n; i++ {
		x := x0 + (x1-x0)*i/n
		y := y0 + (y1-y0)*i/n
		img.Set(x, y, c)
		img.Set(x+1, y, c)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
