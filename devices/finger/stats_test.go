package finger

import (
	"image"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
)

func TestMeasure(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 100, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 240
	}
	if s := Measure(blank); s.Foreground != 0 || s.Mean != 240 || s.StdDev != 0 || Present(blank) {
		t.Errorf("blank: %+v", s)
	}
	ridges := SyntheticRidges(300, 300, 1)
	if s := Measure(ridges); s.Foreground < 0.3 || s.Contrast < 20 || !Present(ridges) {
		t.Errorf("ridges: %+v", s)
	}
	if s := Measure(image.NewGray(image.Rect(0, 0, 0, 0))); s != (Stats{}) {
		t.Errorf("empty: %+v", s)
	}
}

func TestFitTo(t *testing.T) {
	g := SyntheticRidges(388, 374, 2)
	f := FitTo(g, 384, 290)
	if f.Rect.Dx() != 384 || f.Rect.Dy() != 290 || f.GrayAt(0, 0) != g.GrayAt(2, 42) {
		t.Fatalf("crop misplaced")
	}
	p := FitTo(image.NewGray(image.Rect(0, 0, 10, 10)), 20, 20)
	if p.GrayAt(0, 0).Y != 0xff || p.GrayAt(10, 10).Y != 0 {
		t.Fatalf("pad misplaced")
	}
}

func TestSharedFVC(t *testing.T) {
	dir := shared.Require(t, "data", "fingerprints", "FVC2000_DB1_B")
	imgs, err := LoadTIFFDir(dir, 3)
	if err != nil || len(imgs) != 3 {
		t.Fatalf("%v, %d images", err, len(imgs))
	}
	if imgs[0].Rect.Dx() != 300 || imgs[0].Rect.Dy() != 300 {
		t.Fatalf("FVC2000 DB1 is 300x300, got %v", imgs[0].Rect)
	}
	for i, g := range imgs {
		if !Present(g) {
			t.Errorf("%s image %d: no finger detected: %+v", filepath.Base(dir), i, Measure(g))
		}
	}
	sim, origin := SimImages(2)
	if len(sim) != 2 || origin != "shared FVC2002_DB1_B" {
		t.Fatalf("SimImages: %d from %s", len(sim), origin)
	}
}
