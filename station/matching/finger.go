package matching

import (
	"errors"
	"fmt"
	"image"
	"image/draw"

	"github.com/dinhdanh/dinhdanh/matcher/finger"
	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// Finger rates fingerprint captures with the fingerprint engine
// (matcher/finger) and finds their minutiae for the supervisor's view;
// Fingers compares them.
type Finger struct {
	// PPI is the scanners' resolution; zero means 500.
	PPI float64
}

func gray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok && g.Rect.Min == (image.Point{}) {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g
}

func (f Finger) extract(img image.Image) (*template.Template, finger.Quality, error) {
	return finger.Extract(finger.Image{Gray: gray(img), PPI: f.PPI}, nil)
}

// FingerQuality is the engine's quality score, 0–100. An image the engine
// rejects (no ridges, smudge) scores its quality (0) rather than failing:
// the officer is asked to try again.
func (f Finger) FingerQuality(img image.Image) (int, error) {
	_, q, err := f.extract(img)
	if err != nil && !errors.Is(err, finger.ErrRejected) {
		return 0, fmt.Errorf("fingerprint quality: %w", err)
	}
	return q.Score, nil
}

// Minutia is one minutia in image pixels.
type Minutia struct {
	X, Y  int
	Angle float64
}

// Minutiae returns the minutiae the engine finds in img, nil when none.
func (f Finger) Minutiae(img image.Image) []Minutia {
	t, _, err := f.extract(img)
	if err != nil || t == nil {
		return nil
	}
	out := make([]Minutia, len(t.Minutiae))
	for i, m := range t.Minutiae {
		out[i] = Minutia{X: m.X, Y: m.Y, Angle: m.Angle}
	}
	return out
}
