package ui

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// toRGBA copies img so it can be drawn on.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}

func line(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	dx, dy := x1-x0, y1-y0
	n := int(math.Max(math.Abs(float64(dx)), math.Abs(float64(dy))))
	if n == 0 {
		img.Set(x0, y0, c)
		return
	}
	for i := 0; i <= n; i++ {
		img.Set(x0+dx*i/n, y0+dy*i/n, c)
	}
}

// rect draws a rectangle outline w pixels thick.
func rect(img *image.RGBA, r image.Rectangle, w int, c color.Color) {
	for i := 0; i < w; i++ {
		rr := r.Inset(i)
		line(img, rr.Min.X, rr.Min.Y, rr.Max.X, rr.Min.Y, c)
		line(img, rr.Min.X, rr.Max.Y, rr.Max.X, rr.Max.Y, c)
		line(img, rr.Min.X, rr.Min.Y, rr.Min.X, rr.Max.Y, c)
		line(img, rr.Max.X, rr.Min.Y, rr.Max.X, rr.Max.Y, c)
	}
}

// drawMinutiae marks each minutia with a small square and a stroke in its
// direction, the way examiners draw them.
func drawMinutiae(img image.Image, ms []Minutia) image.Image {
	out := toRGBA(img)
	red := color.NRGBA{0xe5, 0x1c, 0x23, 0xff}
	o := img.Bounds().Min
	for _, m := range ms {
		x, y := m.X-o.X, m.Y-o.Y
		rect(out, image.Rect(x-3, y-3, x+3, y+3), 1, red)
		line(out, x, y, x+int(10*math.Cos(m.Angle)), y-int(10*math.Sin(m.Angle)), red)
	}
	return out
}

// overlayFace draws the face box in the quality's colour.
func overlayFace(img image.Image, box image.Rectangle, good bool) image.Image {
	out := toRGBA(img)
	c := color.Color(colorReview)
	if good {
		c = colorOK
	}
	if !box.Empty() {
		rect(out, box.Sub(img.Bounds().Min), 3, c)
	}
	return out
}

// picture shows img scaled to fit w×h, or an empty frame.
func picture(img image.Image, w, h float32) *canvas.Image {
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	ci.SetMinSize(fyne.NewSize(w, h))
	return ci
}

// blank is a light grey placeholder where an image will appear.
func blank(w, h int) image.Image {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 0xe8
	}
	return g
}
