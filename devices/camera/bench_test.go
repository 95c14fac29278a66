package camera

import (
	"testing"

	"gocv.io/x/gocv"
)

// Converting a 1280×720 BGR frame to Go memory: this package's loop
// against gocv's Mat.ToImage as the baseline.
func benchMat(b *testing.B) gocv.Mat {
	m := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC3)
	m.SetTo(gocv.NewScalar(10, 120, 230, 0))
	b.SetBytes(1280 * 720 * 3)
	b.ResetTimer()
	return m
}

func BenchmarkMatToRGBA(b *testing.B) {
	m := benchMat(b)
	defer m.Close()
	scratch := gocv.NewMat()
	defer scratch.Close()
	for range b.N {
		if _, err := matToRGBA(m, &scratch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGocvToImage(b *testing.B) {
	m := benchMat(b)
	defer m.Close()
	for range b.N {
		if _, err := m.ToImage(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMatToRGBAChannels(t *testing.T) {
	scratch := gocv.NewMat()
	defer scratch.Close()
	for _, c := range []struct {
		typ  gocv.MatType
		fill gocv.Scalar
		want [4]uint8
	}{
		{gocv.MatTypeCV8UC3, gocv.NewScalar(10, 120, 230, 0), [4]uint8{230, 120, 10, 255}},
		{gocv.MatTypeCV8UC4, gocv.NewScalar(10, 120, 230, 7), [4]uint8{230, 120, 10, 255}},
		{gocv.MatTypeCV8UC1, gocv.NewScalar(77, 0, 0, 0), [4]uint8{77, 77, 77, 255}},
	} {
		m := gocv.NewMatWithSize(3, 5, c.typ)
		m.SetTo(c.fill)
		img, err := matToRGBA(m, &scratch)
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := [4]uint8(img.Pix[img.PixOffset(4, 2):][:4]); got != c.want || img.Rect.Dx() != 5 {
			t.Errorf("type %v: pixel %v, want %v", c.typ, got, c.want)
		}
	}
}

func BenchmarkMeasure720p(b *testing.B) {
	m := benchMat(b)
	scratch := gocv.NewMat()
	img, _ := matToRGBA(m, &scratch)
	m.Close()
	scratch.Close()
	b.ResetTimer()
	for range b.N {
		Measure(img)
	}
}
