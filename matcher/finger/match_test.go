package finger

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

func extractPrepared(t testing.TB, set, name string) *Prepared {
	t.Helper()
	tpl, _, err := Extract(load(t, set, name), nil)
	if err != nil {
		t.Fatalf("%s/%s: %v", set, name, err)
	}
	return Prepare(tpl)
}

// TestCompareSeparates checks on a few real impressions that the same
// finger scores above different fingers, and that a finger matches itself.
func TestCompareSeparates(t *testing.T) {
	const set = "FVC2002_DB1_B"
	a1 := extractPrepared(t, set, "101_1.tif")
	a2 := extractPrepared(t, set, "101_2.tif")
	b1 := extractPrepared(t, set, "102_1.tif")
	c1 := extractPrepared(t, set, "103_1.tif")
	self, gen := Compare(a1, a1), Compare(a1, a2)
	imp := max(Compare(a1, b1), Compare(a1, c1), Compare(a2, b1))
	t.Logf("self %.3f genuine %.3f best impostor %.3f", self, gen, imp)
	if self < 0.99 || gen <= imp {
		t.Errorf("self %.3f genuine %.3f best impostor %.3f", self, gen, imp)
	}
	// Ties among local similarities are broken by scan order, so swapping
	// the arguments may change the score slightly, never materially.
	if d := math.Abs(Compare(a1, a2) - Compare(a2, a1)); d > 0.02 {
		t.Errorf("Compare(a,b) and Compare(b,a) differ by %.4f", d)
	}
	var x Index
	x.Add("101", a1)
	x.Add("102", b1)
	x.Add("103", c1)
	hits := x.Search(a2, 0, 0)
	if len(hits) != 3 || hits[0].ID != "101" {
		t.Errorf("search: %v", hits)
	}
	if Compare(a1, &Prepared{}) != 0 {
		t.Error("empty template scores non-zero")
	}
}

func TestFusePerson(t *testing.T) {
	if FusePerson(nil) != 0 || math.Abs(FusePerson([]float64{0.2, 0.4})-0.3) > 1e-12 {
		t.Error("FusePerson")
	}
}

func TestDecodeFormats(t *testing.T) {
	img := load(t, "FVC2002_DB1_B", "101_1.tif")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img.Gray); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf, 500)
	if err != nil || !bytes.Equal(back.Gray.Pix, img.Gray.Pix) {
		t.Fatalf("png round trip: %v", err)
	}
	raw, err := DecodeRaw(img.Gray.Pix, img.Gray.Rect.Dx(), img.Gray.Rect.Dy(), 500)
	if err != nil || !bytes.Equal(raw.Gray.Pix, img.Gray.Pix) {
		t.Fatalf("raw: %v", err)
	}
	if _, err := DecodeRaw(img.Gray.Pix[1:], img.Gray.Rect.Dx(), img.Gray.Rect.Dy(), 500); !errors.Is(err, ErrImage) {
		t.Errorf("short raw: %v", err)
	}
	if _, err := Decode(bytes.NewReader([]byte("not an image")), 500); !errors.Is(err, ErrImage) {
		t.Errorf("garbage: %v", err)
	}
}

func TestResampleToFiveHundred(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 569, 1138))
	p := resample(Image{Gray: g, PPI: 569})
	if p.W != 500 || p.H != 1000 {
		t.Errorf("569 ppi → %d×%d, want 500×1000", p.W, p.H)
	}
}

func FuzzDecodeImage(f *testing.F) {
	var buf bytes.Buffer
	g := image.NewGray(image.Rect(0, 0, 16, 16))
	png.Encode(&buf, g)
	f.Add(buf.Bytes())
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("BM"))
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := Decode(bytes.NewReader(b), 500)
		if err != nil {
			if !errors.Is(err, ErrImage) {
				t.Fatalf("error without ErrImage: %v", err)
			}
			return
		}
		// Whatever decodes must go through extraction without panicking.
		tpl, q, err := Extract(img, nil)
		if err == nil && (tpl == nil || q.Score == 0) {
			t.Fatal("no error but no template")
		}
		_ = template.Template{}
	})
}

func benchPair(b *testing.B) (*Prepared, *Prepared) {
	return extractPrepared(b, "FVC2002_DB1_B", "101_1.tif"), extractPrepared(b, "FVC2002_DB1_B", "101_2.tif")
}

func BenchmarkCompare(b *testing.B) {
	p, q := benchPair(b)
	b.ReportAllocs()
	for b.Loop() {
		Compare(p, q)
	}
}

// BenchmarkCompareNaive is the baseline: the same MCC score computed with
// per-cell float cylinders (what bit vectors replace), allocating per call.
func BenchmarkCompareNaive(b *testing.B) {
	p, q := benchPair(b)
	b.ReportAllocs()
	for b.Loop() {
		naiveCompare(p, q)
	}
}

func BenchmarkExtract(b *testing.B) {
	img := load(b, "FVC2002_DB1_B", "101_1.tif")
	b.ReportAllocs()
	for b.Loop() {
		Extract(img, nil)
	}
}

func BenchmarkSearch1000(b *testing.B) {
	p, q := benchPair(b)
	var x Index
	for i := 0; i < 1000; i++ {
		if i%2 == 0 {
			x.Add("a", p)
		} else {
			x.Add("b", q)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		x.Search(p, 0.5, 0)
	}
	b.ReportMetric(float64(b.N*x.Len())/b.Elapsed().Seconds(), "cmp/s")
}

func TestFastMath(t *testing.T) {
	for i := 0; i < 3600; i++ {
		a := float64(i) * math.Pi / 1800
		y, x := float32(math.Sin(a)*7), float32(math.Cos(a)*7)
		if d := math.Abs(float64(angleDiff32(atan2f(y, x), float32(math.Atan2(float64(y), float64(x)))))); d > 0.005 {
			t.Fatalf("atan2f at %.3f off by %.4f", a, d)
		}
	}
}

// dbTemplates prepares the first n impressions of an FVC set, for
// benchmarks on realistic minutiae counts rather than one pair.
func dbTemplates(b *testing.B, set string, n int) []*Prepared {
	b.Helper()
	var out []*Prepared
	for f := 101; f <= 110 && len(out) < n; f++ {
		for i := 1; i <= 8 && len(out) < n; i++ {
			tpl, _, err := Extract(load(b, set, fmt.Sprintf("%d_%d.tif", f, i)), nil)
			if err == nil {
				out = append(out, Prepare(tpl))
			}
		}
	}
	return out
}

// BenchmarkCompareDB compares 24 FVC2002 DB1 templates all against all,
// with the naive baseline on the same pairs as a sub-benchmark, and
// Compare without the vector kernels ("portable") and with those of a CPU
// with AVX2 but not AVX-512 ("avx2").
func BenchmarkCompareDB(b *testing.B) {
	ps := dbTemplates(b, cmpSet, 24)
	for _, c := range []struct {
		name string
		fn   func(a, b *Prepared) float64
	}{{"bits", Compare}, {"portable", Compare}, {"avx2", Compare}, {"ref", refCompare}, {"naive", naiveCompare}, {"quick", QuickScore}} {
		b.Run(c.name, func(b *testing.B) {
			switch c.name {
			case "portable": // Compare without the vector kernels
				defer SetKernels(SetKernels(false))
			case "avx2": // with the kernels of a CPU without AVX-512
				restore, ok := useAVX2Kernels()
				if !ok {
					b.Skip("no AVX2 on this CPU")
				}
				defer restore()
			}
			n := 0
			for b.Loop() {
				for _, p := range ps {
					for _, q := range ps {
						c.fn(p, q)
					}
				}
				n += len(ps) * len(ps)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "cmp/s")
		})
	}
}

func TestFileResolution(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 4, 4))
	var buf bytes.Buffer
	png.Encode(&buf, g)
	b := buf.Bytes()
	// Insert a pHYs chunk of 19,685 px/m (500 ppi) after IHDR.
	phys := []byte{0, 0, 0, 9, 'p', 'H', 'Y', 's', 0, 0, 0x4c, 0xe5, 0, 0, 0x4c, 0xe5, 1, 0, 0, 0, 0}
	withPhys := append(append(append([]byte(nil), b[:33]...), phys...), b[33:]...)
	if r := fileResolution(withPhys); math.Abs(r-500) > 0.5 {
		t.Errorf("png pHYs: %.1f ppi", r)
	}
	if r := fileResolution(b); r != 0 {
		t.Errorf("png without pHYs: %.1f", r)
	}
	for _, set := range []string{"FVC2002_DB1_B", "FVC2002_DB2_B", "FVC2004_DB3_B"} {
		data, err := os.ReadFile(shared.Require(t, "data", "fingerprints", set, "101_1.tif"))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s TIFF declares %.0f ppi", set, fileResolution(data))
	}
}

// cmpSet is the FVC set BenchmarkCompareDB reads; DINHDANH_BENCH_SET
// picks another (templates grow with the sensor's area).
var cmpSet = cmp.Or(os.Getenv("DINHDANH_BENCH_SET"), "FVC2002_DB1_B")

// TestCompareAllocationFree holds Compare to its promise: nothing
// allocated per call, so 1:N loops create no garbage (locals handed to
// the kernels through func values would escape to the heap).
func TestCompareAllocationFree(t *testing.T) {
	ps := realTemplates(t, "FVC2002_DB1_B", 6)
	for _, kernels := range []bool{true, false} {
		was := SetKernels(kernels)
		n := testing.AllocsPerRun(20, func() {
			for _, a := range ps {
				for _, b := range ps {
					Compare(a, b)
				}
			}
		})
		SetKernels(was)
		if n != 0 {
			t.Errorf("kernels %v: %v allocations per %d comparisons", kernels, n, len(ps)*len(ps))
		}
	}
}

// TestConsolidationGridBounded: minutiae spread over a template's whole
// coordinate range get wider grid cells, not a grid of millions.
func TestConsolidationGridBounded(t *testing.T) {
	tp := &template.Template{PPI: 500}
	for i := range 40 {
		v := i * 1680 // up to 65,520
		tp.Minutiae = append(tp.Minutiae, template.Minutia{X: v, Y: 65535 - v, Angle: float64(i), Kind: template.Ending})
	}
	p := Prepare(tp)
	if p.gw > gridMax || p.gh > gridMax || len(p.mins) != 40 {
		t.Fatalf("grid %d × %d, %d minutiae", p.gw, p.gh, len(p.mins))
	}
	Compare(p, p)
}
