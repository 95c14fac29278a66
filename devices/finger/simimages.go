package finger

import (
	"fmt"
	"image"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"golang.org/x/image/tiff"
)

// SimImages returns the images scanner simulators serve: the FVC2002 DB1
// set from the shared data folder when present, otherwise n synthetic
// ridge patterns (demo mode on a clean machine). The second result names
// the origin for reports.
func SimImages(n int) ([]*image.Gray, string) {
	if d, err := shared.Dir(); err == nil {
		dir := filepath.Join(d, "data", "fingerprints", "FVC2002_DB1_B")
		if imgs, err := LoadTIFFDir(dir, n); err == nil && len(imgs) > 0 {
			return imgs, "shared FVC2002_DB1_B"
		}
	}
	imgs := make([]*image.Gray, n)
	for i := range imgs {
		imgs[i] = SyntheticRidges(388, 374, uint64(i+1))
	}
	return imgs, "synthetic ridge pattern"
}

// LoadTIFFDir decodes up to n grey TIFF images of dir in name order.
func LoadTIFFDir(dir string, n int) ([]*image.Gray, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.tif"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*image.Gray
	for _, name := range names {
		if len(out) == n {
			break
		}
		g, err := loadTIFF(name)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

func loadTIFF(name string) (*image.Gray, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := tiff.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", filepath.Base(name), err)
	}
	return ToGray(img), nil
}

// ToGray converts any image to *image.Gray at the origin.
func ToGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok && g.Rect.Min == (image.Point{}) {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g
}

// SyntheticRidges draws a whorl-like ridge pattern with ~9 px ridge period
// (about right for 500 ppi) inside an elliptical finger area on a light
// background. seed varies the centre and orientation.
func SyntheticRidges(w, h int, seed uint64) *image.Gray {
	r := rand.New(rand.NewPCG(seed, seed*7919+1))
	g := image.NewGray(image.Rect(0, 0, w, h))
	cx := float64(w)/2 + (r.Float64()-0.5)*float64(w)*0.1
	cy := float64(h)/2 + (r.Float64()-0.5)*float64(h)*0.1
	rx, ry := float64(w)*0.38, float64(h)*0.45
	twist := 0.02 + r.Float64()*0.03
	const period = 9.0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			e := (dx*dx)/(rx*rx) + (dy*dy)/(ry*ry)
			v := 230.0
			if e < 1 {
				d := math.Hypot(dx, dy*1.2) + twist*dx*math.Sin(dy/40)
				ridge := 0.5 + 0.5*math.Cos(2*math.Pi*d/period)
				edge := math.Min(1, (1-e)*6)
				v = 230 - edge*ridge*170
			}
			g.Pix[y*g.Stride+x] = uint8(v + (r.Float64()-0.5)*10)
		}
	}
	return g
}

// FitTo centre-crops or pads g (with white) to w×h.
func FitTo(g *image.Gray, w, h int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i := range out.Pix {
		out.Pix[i] = 0xff
	}
	b := g.Bounds()
	sx := b.Min.X + (b.Dx()-w)/2
	sy := b.Min.Y + (b.Dy()-h)/2
	for y := 0; y < h; y++ {
		yy := sy + y
		if yy < b.Min.Y || yy >= b.Max.Y {
			continue
		}
		for x := 0; x < w; x++ {
			xx := sx + x
			if xx < b.Min.X || xx >= b.Max.X {
				continue
			}
			out.Pix[y*out.Stride+x] = g.GrayAt(xx, yy).Y
		}
	}
	return out
}
