package camera

import (
	"image"
	"image/color"
	"image/draw"
	"time"
)

// Synthetic is a pure-Go Source for tests and demo mode: it cycles
// through the given pictures (for example the shared face photos) or,
// with none, draws a moving test pattern, at the given frame rate. Its
// frames are marked Simulated.
func Synthetic(width, height int, fps float64, pictures []image.Image) Source {
	return &session{g: &synthGrabber{w: width, h: height, fps: fps, pics: pictures}, simulated: true}
}

type synthGrabber struct {
	w, h   int
	fps    float64
	pics   []image.Image
	n      int
	next   time.Time
	scaled []*image.RGBA
}

func (g *synthGrabber) open() (Info, error) {
	if g.fps <= 0 {
		g.fps = 30
	}
	g.n = 0
	if g.scaled == nil {
		for _, p := range g.pics {
			g.scaled = append(g.scaled, fit(p, g.w, g.h))
		}
	}
	g.next = time.Now()
	return Info{Name: "synthetic", Backend: "synthetic", Width: g.w, Height: g.h, FPS: g.fps, FourCC: "RGBA", Simulated: true}, nil
}

func (g *synthGrabber) grab() (*image.RGBA, error) {
	if d := time.Until(g.next); d > 0 {
		time.Sleep(d)
	}
	g.next = g.next.Add(time.Duration(float64(time.Second) / g.fps))
	g.n++
	img := image.NewRGBA(image.Rect(0, 0, g.w, g.h))
	if len(g.scaled) > 0 {
		copy(img.Pix, g.scaled[(g.n/int(max(1, g.fps)))%len(g.scaled)].Pix)
		return img, nil
	}
	off := g.n * 4
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			i := img.PixOffset(x, y)
			v := uint8((x + off) ^ y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = v, uint8(y), uint8(x+off), 0xff
		}
	}
	return img, nil
}

func (g *synthGrabber) close() error { return nil }

// fit scales p to w×h by nearest neighbour, centre-cropping to keep the
// aspect ratio.
func fit(p image.Image, w, h int) *image.RGBA {
	b := p.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Rect, &image.Uniform{color.Gray{0x80}}, image.Point{}, draw.Src)
	scale := max(float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy()))
	ox := (float64(b.Dx())*scale - float64(w)) / 2
	oy := (float64(b.Dy())*scale - float64(h)) / 2
	for y := 0; y < h; y++ {
		sy := b.Min.Y + int((float64(y)+oy)/scale)
		for x := 0; x < w; x++ {
			sx := b.Min.X + int((float64(x)+ox)/scale)
			if sx < b.Max.X && sy < b.Max.Y {
				out.Set(x, y, p.At(sx, sy))
			}
		}
	}
	return out
}
