package matching

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

// RandomTemplates is a cache.FingerGen of random but valid DDFT templates
// for both index fingers (R2, L2): 30–50 minutiae spread over an
// elliptical finger area of a 388×374 image at 500 ppi, at least 10 px
// apart. They load, index and compare like real templates; having no
// ridge flow behind them, they tend to score lower against a real finger
// than a real impostor does.
func RandomTemplates() cache.FingerGen {
	return func(rng *rand.Rand, _ string, pos string) []byte {
		if pos != "R2" && pos != "L2" {
			return nil
		}
		b, err := template.Marshal(randomTemplate(rng))
		if err != nil {
			return nil
		}
		return b
	}
}

func randomTemplate(rng *rand.Rand) *template.Template {
	const w, h = 388, 374
	t := &template.Template{Width: w, Height: h, PPI: 500, Quality: uint8(50 + rng.IntN(40))}
	n := 30 + rng.IntN(21)
	cx, cy := w/2+rng.IntN(21)-10, h/2+rng.IntN(21)-10
	var pts []image.Point
	for tries := 0; len(pts) < n && tries < 2000; tries++ {
		x, y := rng.IntN(w), rng.IntN(h)
		dx, dy := float64(x-cx)/(0.4*w), float64(y-cy)/(0.45*h)
		if dx*dx+dy*dy > 1 {
			continue
		}
		near := false
		for _, p := range pts {
			if (p.X-x)*(p.X-x)+(p.Y-y)*(p.Y-y) < 100 {
				near = true
				break
			}
		}
		if near {
			continue
		}
		pts = append(pts, image.Pt(x, y))
		t.Minutiae = append(t.Minutiae, template.Minutia{X: x, Y: y, Angle: rng.Float64() * 2 * math.Pi,
			Kind: template.Kind(1 + rng.IntN(2)), Quality: uint8(40 + rng.IntN(60))})
	}
	return t
}

// Template extracts the DDFT template of a finger image (an enrolment
// impression, as upstream would have stored it).
func (f Finger) Template(img image.Image) ([]byte, error) {
	t, _, err := f.extract(img)
	if err != nil {
		return nil, err
	}
	return template.Marshal(t)
}
