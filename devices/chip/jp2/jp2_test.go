package jp2

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/devices/chip/emrtd"
)

// makeJP2 encodes a test picture with opj_compress (Debian package
// libopenjp2-tools).
func makeJP2(t *testing.T) []byte {
	if _, err := exec.LookPath("opj_compress"); err != nil {
		t.Skip("opj_compress not installed (apt-get install libopenjp2-tools)")
	}
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 64, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(3 * y), 128, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "out.jp2")
	os.WriteFile(in, buf.Bytes(), 0o600)
	if b, err := exec.Command("opj_compress", "-i", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("opj_compress: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDG2JPEG2000(t *testing.T) {
	jp2 := makeJP2(t)
	p, err := document.ParseDG2(document.EncodeDG2(jp2, document.ImageJPEG2000, 64, 80))
	if err != nil {
		t.Fatal(err)
	}
	img, format, err := p.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if format != "jpeg2000" || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 80 {
		t.Fatalf("%s %v", format, img.Bounds())
	}
	r, g, _, _ := img.At(10, 20).RGBA()
	if d := int(r>>8) - 40; d < -6 || d > 6 {
		t.Errorf("red %d, want ~40", r>>8)
	}
	if d := int(g>>8) - 60; d < -6 || d > 6 {
		t.Errorf("green %d, want ~60", g>>8)
	}
	if _, err := Decode(bytes.NewReader(append([]byte("\x00\x00\x00\x0CjP  "), 1, 2, 3))); err == nil {
		t.Fatal("garbage decoded")
	}
}

// A CCCD whose DG2 is JPEG 2000 reads end to end into a decoded portrait.
func TestReadJPEG2000Card(t *testing.T) {
	p := chipsim.DemoPerson()
	p.Portrait = makeJP2(t)
	card, _, err := chipsim.NewCCCD(p, chipsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := emrtd.Read(context.Background(), card, card.Key(), emrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.PortraitFormat != "jpeg2000" || doc.Portrait == nil || doc.Portrait.Bounds().Dx() != 64 {
		t.Fatalf("%s %q", doc.PortraitFormat, doc.PortraitError)
	}
}
