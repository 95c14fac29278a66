package finger

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
)

// stageCases are the images the stage tests and benchmarks run on: a plain
// 500 ppi set, a resampled one and the largest images.
var stageCases = []struct {
	name, set, file string
	ppi             float64
}{
	{"2002db1", "FVC2002_DB1_B", "101_1.tif", 500},
	{"2002db2", "FVC2002_DB2_B", "101_1.tif", 569},
	{"2000db3", "FVC2000_DB3_B", "101_1.tif", 500},
}

// stageInputs holds every stage's output for one image.
type stageInputs struct {
	img       Image
	p, n, e   *plane
	mean, std *blockMap
	m         *mask
	f         *orientField
	per       *blockMap
	bin, sm   *binary // binarize, smooth
	s         *binary
}

func runStages(t testing.TB, set, file string, ppi float64) *stageInputs {
	t.Helper()
	img := load(t, set, file)
	img.PPI = ppi
	var in stageInputs
	in.img = img
	in.p = resample(img)
	in.mean, in.std = blockStats(in.p)
	in.m = segment(in.p, in.std, gradients(in.p))
	in.f = orientation(in.p, in.m)
	in.per = ridgePeriod(in.p, in.f, in.m)
	in.n = normalize(in.p, in.mean, in.std)
	in.e = enhance(in.n, in.f, in.per, in.m)
	in.bin = binarize(in.e, in.m)
	in.sm = smoothBinary(in.bin, in.m)
	in.s = thin(in.sm)
	return &in
}

// TestStagesMatchReference checks that each stage, fed the same input,
// gives exactly (bit for bit) what its reference version gives, so that
// speed work leaves every template, and every EER, unchanged.
func TestStagesMatchReference(t *testing.T) {
	for _, c := range stageCases {
		in := runStages(t, c.set, c.file, c.ppi)
		samePlane(t, c.name+" resample", refResample(in.img), in.p)
		rm, rs := refBlockStats(in.p)
		sameFloats(t, c.name+" block mean", rm.V, in.mean.V)
		sameFloats(t, c.name+" block std", rs.V, in.std.V)
		rf := refOrientation(in.p, in.m)
		sameFloats(t, c.name+" orientation", rf.Theta, in.f.Theta)
		sameFloats(t, c.name+" coherence", rf.Coherence, in.f.Coherence)
		sameFloats(t, c.name+" period", refRidgePeriod(in.p, in.f, in.m).V, in.per.V)
		samePlane(t, c.name+" normalize", refNormalize(in.p, in.mean, in.std), in.n)
		samePlane(t, c.name+" enhance", refEnhance(in.n, in.f, in.per, in.m), in.e)
		if want := refBinarize(in.e, in.m); !slices.Equal(want.Pix, in.bin.Pix) {
			t.Errorf("%s binarize: differs from the reference", c.name)
		}
		if want := refSmoothBinary(in.bin, in.m); !slices.Equal(want.Pix, in.sm.Pix) {
			t.Errorf("%s smooth: differs from the reference", c.name)
		}
		rt := refThin(in.sm)
		for i := range rt.Pix {
			if rt.Pix[i] != in.s.Pix[i] {
				t.Errorf("%s thin: pixel (%d,%d) is %d, reference %d", c.name, i%rt.W, i/rt.W, in.s.Pix[i], rt.Pix[i])
				break
			}
		}
	}
}

func samePlane(t *testing.T, what string, want, got *plane) {
	t.Helper()
	if want.W != got.W || want.H != got.H {
		t.Errorf("%s: %d×%d, reference %d×%d", what, got.W, got.H, want.W, want.H)
		return
	}
	sameFloats(t, what, want.Pix, got.Pix)
}

func sameFloats(t *testing.T, what string, want, got []float32) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%s: %d values, reference %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
			t.Errorf("%s: value %d is %v, reference %v", what, i, got[i], want[i])
			return
		}
	}
}

// BenchmarkStages times each extraction stage alone on real images, the
// inputs made once by the stages before it, beside its reference version
// (ref_extract_test.go): where Extract's time goes, and what was gained.
//
//	go test -run '^$' -bench Stages -cpu 1 ./matcher/finger
func BenchmarkStages(b *testing.B) {
	for _, c := range stageCases {
		in := runStages(b, c.set, c.file, c.ppi)
		stage := func(name string, fn func()) {
			b.Run(c.name+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					fn()
				}
			})
		}
		stage("resample", func() { resample(in.img) })
		stage("resample/ref", func() { refResample(in.img) })
		stage("blockStats", func() { blockStats(in.p) })
		stage("blockStats/ref", func() { refBlockStats(in.p) })
		stage("globalStd", func() { globalStd(in.p) })
		stage("segment", func() { segment(in.p, in.std, gradients(in.p)) })
		stage("orient", func() { orientation(in.p, in.m) })
		stage("orient/ref", func() { refOrientation(in.p, in.m) })
		stage("period", func() { ridgePeriod(in.p, in.f, in.m) })
		stage("period/ref", func() { refRidgePeriod(in.p, in.f, in.m) })
		stage("normalize", func() { normalize(in.p, in.mean, in.std) })
		stage("normalize/ref", func() { refNormalize(in.p, in.mean, in.std) })
		stage("enhance", func() { enhance(in.n, in.f, in.per, in.m) })
		stage("enhance/ref", func() { refEnhance(in.n, in.f, in.per, in.m) })
		stage("binarize", func() { binarize(in.e, in.m) })
		stage("binarize/ref", func() { refBinarize(in.e, in.m) })
		stage("smooth", func() { smoothBinary(in.bin, in.m) })
		stage("smooth/ref", func() { refSmoothBinary(in.bin, in.m) })
		stage("thin", func() { thin(in.sm) })
		stage("thin/ref", func() { refThin(in.sm) })
		stage("detect", func() { detect(in.s, in.m, in.f) })
		stage("extract", func() { Extract(in.img, nil) })
	}
}

// TestExtractConcurrent extracts images on several goroutines at once, as
// the eval and the station do, sharing the buffer pools: every template
// must equal the one extracted alone. (Run it with -race.)
func TestExtractConcurrent(t *testing.T) {
	var imgs []Image
	var want []string
	for _, c := range stageCases {
		img := load(t, c.set, c.file)
		img.PPI = c.ppi
		tpl, q, err := Extract(img, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		imgs = append(imgs, img)
		want = append(want, fmt.Sprint(q, *tpl))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(imgs))
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range imgs {
				i := (i + g) % len(imgs)
				tpl, q, err := Extract(imgs[i], nil)
				if err != nil || fmt.Sprint(q, *tpl) != want[i] {
					errs <- fmt.Sprintf("%s: differs when extracted concurrently (%v)", stageCases[i].name, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestExtractRepeatable extracts images in turn, so each runs on buffers
// recycled from the other: every template must come out the same.
func TestExtractRepeatable(t *testing.T) {
	var first []string
	for round := 0; round < 2; round++ {
		for i, c := range stageCases {
			img := load(t, c.set, c.file)
			img.PPI = c.ppi
			tpl, q, err := Extract(img, nil)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got := fmt.Sprint(q, *tpl)
			if round == 0 {
				first = append(first, got)
			} else if got != first[i] {
				t.Errorf("%s: template differs on the second extraction", c.name)
			}
		}
	}
}

// TestThinMatchesReference thins random blotches on images of awkward
// sizes (bit rows of one word, word boundaries, partial words) and
// requires the reference's skeleton pixel for pixel.
func TestThinMatchesReference(t *testing.T) {
	seed := uint32(7)
	rnd := func() uint32 {
		seed = seed*1664525 + 1013904223
		return seed >> 8
	}
	for _, sz := range [][2]int{{3, 3}, {4, 9}, {17, 5}, {63, 20}, {64, 21}, {65, 22}, {127, 30}, {130, 41}, {200, 150}} {
		w, h := sz[0], sz[1]
		b := &binary{W: w, H: h, Pix: make([]uint8, w*h)}
		// Thick random strokes and specks.
		for n := 0; n < w*h/40+3; n++ {
			x, y, r := int(rnd()%uint32(w)), int(rnd()%uint32(h)), int(rnd()%4)
			dx, dy := int(rnd()%3)-1, int(rnd()%3)-1
			for step := 0; step < 12; step++ {
				for yy := y - r; yy <= y+r; yy++ {
					for xx := x - r; xx <= x+r; xx++ {
						if xx >= 0 && yy >= 0 && xx < w && yy < h {
							b.Pix[yy*w+xx] = 1
						}
					}
				}
				x, y = x+dx, y+dy
			}
		}
		want, got := refThin(b), thin(b)
		if !slices.Equal(want.Pix, got.Pix) {
			t.Errorf("%d×%d: skeleton differs from the reference", w, h)
		}
	}
}
