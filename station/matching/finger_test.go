package matching

import (
	"image"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/finger"
)

func TestFingerQuality(t *testing.T) {
	imgs, src := finger.SimImages(2)
	if len(imgs) == 0 {
		t.Skip("no simulator images")
	}
	f := Finger{}
	q, err := f.FingerQuality(imgs[0])
	if err != nil {
		t.Fatal(err)
	}
	blank := image.NewGray(image.Rect(0, 0, 300, 400))
	for i := range blank.Pix {
		blank.Pix[i] = 0xf0
	}
	qb, err := f.FingerQuality(blank)
	if err != nil {
		t.Fatal(err)
	}
	if q <= qb {
		t.Errorf("%s image quality %d not above a blank platen's %d", src, q, qb)
	}
	ms := f.Minutiae(imgs[0])
	if len(ms) < 10 {
		t.Errorf("%d minutiae in a %s image", len(ms), src)
	}
	t.Logf("%s: quality %d, %d minutiae; blank %d", src, q, len(ms), qb)
}
