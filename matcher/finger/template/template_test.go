package template

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
)

func sample() *Template {
	return &Template{Width: 388, Height: 374, PPI: 500, Position: 2, Quality: 77, Minutiae: []Minutia{
		{X: 10, Y: 20, Angle: 0, Kind: Ending, Quality: 90},
		{X: 300, Y: 350, Angle: math.Pi / 2, Kind: Bifurcation, Quality: 40},
		{X: 0, Y: 0, Angle: 6.2, Kind: Other, Quality: 0},
	}}
}

func equalWithin(t *testing.T, name string, a, b *Template, angleTol float64) {
	t.Helper()
	if a.Width != b.Width || a.Height != b.Height || a.Quality != b.Quality || a.Position != b.Position || len(a.Minutiae) != len(b.Minutiae) {
		t.Fatalf("%s: header %+v != %+v", name, *a, *b)
	}
	if math.Abs(float64(a.PPI-b.PPI)) > 2 {
		t.Errorf("%s: ppi %d != %d", name, a.PPI, b.PPI)
	}
	for i := range a.Minutiae {
		x, y := a.Minutiae[i], b.Minutiae[i]
		d := math.Abs(x.Angle - y.Angle)
		d = math.Min(d, 2*math.Pi-d)
		if x.X != y.X || x.Y != y.Y || x.Kind != y.Kind || x.Quality != y.Quality || d > angleTol {
			t.Errorf("%s: minutia %d %+v != %+v", name, i, x, y)
		}
	}
}

func TestRoundTrips(t *testing.T) {
	for _, c := range []struct {
		name  string
		enc   func(*Template) ([]byte, error)
		dec   func([]byte) (*Template, error)
		angle float64
	}{
		{"own", Marshal, Unmarshal, 2 * math.Pi / 65536},
		{"iso", MarshalISO, ParseISO, math.Pi / 256},
		{"ansi", MarshalANSI, ParseANSI, math.Pi / 180},
	} {
		b, err := c.enc(sample())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := c.dec(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		equalWithin(t, c.name, sample(), got, c.angle+1e-9)
		b2, _ := c.enc(got)
		if !bytes.Equal(b, b2) {
			t.Errorf("%s: re-encoding changed the bytes", c.name)
		}
		// Every truncation and every single-byte change in the header must
		// be an error, never a panic or a silent misread of the length.
		for n := 0; n < len(b); n++ {
			if _, err := c.dec(b[:n]); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: truncated to %d: err %v", c.name, n, err)
			}
		}
	}
}

func TestOwnDetectsCorruption(t *testing.T) {
	b, _ := Marshal(sample())
	for i := range b {
		c := append([]byte(nil), b...)
		c[i] ^= 0x40
		if _, err := Unmarshal(c); err == nil {
			t.Errorf("flip at byte %d not detected", i)
		}
	}
}

func TestISOHeaderLayout(t *testing.T) {
	b, _ := MarshalISO(sample())
	if len(b) != 24+4+6*3+2 || string(b[:8]) != "FMR\x00 20\x00" || b[18] != 0 || b[19] != 197 {
		t.Errorf("iso header % x", b[:24])
	}
	a, _ := MarshalANSI(sample())
	if len(a) != 26+4+6*3+2 || a[8] != 0 || int(a[9]) != len(a) {
		t.Errorf("ansi header % x", a[:26])
	}
	// ANSI angles are in 2° units: 90° is 45.
	if a[26+4+6+4] != 45 {
		t.Errorf("ansi angle byte %d, want 45", a[26+4+6+4])
	}
}

// TestFVCISOTemplates reads every .iso file beside the FVC2002/2004 images:
// real ISO 19794-2 records made by a commercial SDK.
func TestFVCISOTemplates(t *testing.T) {
	root := shared.Require(t, "data", "fingerprints")
	files, _ := filepath.Glob(filepath.Join(root, "FVC200[24]_*", "*.iso"))
	if len(files) == 0 {
		t.Fatal("no .iso files found")
	}
	minN, maxN := 1000, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := ParseISO(b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if tp.Width != 300 || tp.Height != 400 {
			t.Errorf("%s: size %d×%d, README says 300×400", f, tp.Width, tp.Height)
		}
		n := len(tp.Minutiae)
		minN, maxN = min(minN, n), max(maxN, n)
		for _, m := range tp.Minutiae {
			if m.X >= tp.Width || m.Y >= tp.Height {
				t.Errorf("%s: minutia (%d,%d) outside the image", f, m.X, m.Y)
				break
			}
		}
		// Our encoder writes the same bytes for records without extended data.
		if again, err := MarshalISO(tp); err == nil && len(b) == len(again) && !bytes.Equal(b[24:], again[24:]) {
			t.Errorf("%s: re-encoding differs", f)
		}
	}
	t.Logf("%d ISO templates, %d–%d minutiae", len(files), minN, maxN)
	if minN < 6 || maxN > 81 {
		t.Errorf("minutiae range %d–%d, README says 6–81", minN, maxN)
	}
}
