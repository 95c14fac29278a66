package finger

import (
	"errors"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
)

func load(t testing.TB, set, name string) Image {
	t.Helper()
	p := shared.Require(t, "data", "fingerprints", set, name)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := Decode(f, 0)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return img
}

func TestExtractStages(t *testing.T) {
	for _, c := range []struct{ set, name string }{
		{"FVC2002_DB1_B", "101_1.tif"},
		{"FVC2000_DB2_B", "101_1.tif"},
		{"FVC2004_DB3_B", "101_1.tif"},
	} {
		img := load(t, c.set, c.name)
		seen := map[string]bool{}
		opt := &Options{Transparency: func(stage string, im image.Image) { seen[stage] = true }}
		if os.Getenv("FINGER_DEBUG") != "" {
			opt.DebugDir = filepath.Join(os.Getenv("FINGER_DEBUG"), c.set)
			os.MkdirAll(opt.DebugDir, 0o755)
		}
		tpl, q, err := Extract(img, opt)
		if err != nil {
			t.Fatalf("%s/%s: %v", c.set, c.name, err)
		}
		t.Logf("%s/%s: %d minutiae, quality %v", c.set, c.name, len(tpl.Minutiae), q)
		if len(tpl.Minutiae) < 12 || q.Score < 20 {
			t.Errorf("%s/%s: %d minutiae, quality %v", c.set, c.name, len(tpl.Minutiae), q)
		}
		for _, s := range Stages {
			if !seen[s] {
				t.Errorf("stage %s not shown", s)
			}
		}
	}
}

func TestExtractRejectsBadInput(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 300, 300))
	for i := range blank.Pix {
		blank.Pix[i] = 200
	}
	noise := image.NewGray(image.Rect(0, 0, 300, 300))
	seed := uint32(1)
	for i := range noise.Pix {
		seed = seed*1664525 + 1013904223
		noise.Pix[i] = uint8(seed >> 24)
	}
	tiny := image.NewGray(image.Rect(0, 0, 40, 40))
	huge := image.NewGray(image.Rect(0, 0, 2000, 300))
	for _, c := range []struct {
		name string
		img  *image.Gray
		want Feedback
	}{
		{"blank", blank, Blank},
		{"noise", noise, NotFingerprint},
		{"tiny", tiny, WrongSize},
		{"huge", huge, WrongSize},
	} {
		tpl, q, err := Extract(Image{Gray: c.img, PPI: 500}, nil)
		if !errors.Is(err, ErrRejected) || tpl != nil || q.Score != 0 {
			t.Errorf("%s: template %v, quality %v, err %v; want rejection", c.name, tpl != nil, q, err)
			continue
		}
		if len(q.Feedback) == 0 || q.Feedback[0] != c.want {
			t.Errorf("%s: feedback %v, want %q", c.name, q.Feedback, c.want)
		}
	}
}
