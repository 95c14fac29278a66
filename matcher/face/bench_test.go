package face

import (
	"fmt"
	"image"
	"math/rand/v2"
	"testing"
	"time"

	goface "github.com/Kagami/go-face"
	"gocv.io/x/gocv"

	"github.com/dinhdanh/dinhdanh/matcher/face/model"
)

// frame640 is a 640×480 camera-like frame holding one frontal face.
func frame640(b *testing.B) gocv.Mat {
	src := decodeIdolB(b, "chaeyeon2.jpg")
	defer src.Close()
	// Crop a 4:3 window around the face, then scale to 640×480.
	w := src.Cols()
	h := w * 3 / 4
	y := max(0, src.Rows()/2-h/2-src.Rows()/8)
	roi := src.Region(image.Rect(0, y, w, min(src.Rows(), y+h)))
	defer roi.Close()
	out := gocv.NewMat()
	gocv.Resize(roi, &out, image.Pt(640, 480), 0, 0, gocv.InterpolationArea)
	return out
}

func decodeIdolB(b *testing.B, name string) gocv.Mat {
	m, err := Decode(idols(b)[name])
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkAnalyze640x480 is the per-frame cost of detection, landmarks,
// descriptor and quality on one core, split into its stages.
//
//	go test -run '^$' -bench Analyze -benchtime 30x ./matcher/face
func BenchmarkAnalyze640x480(b *testing.B) {
	r := recognizer(b)
	f := frame640(b)
	defer f.Close()
	c, err := r.Analyze(f, LivePolicy)
	if err != nil || len(c.Faces) != 1 {
		b.Fatalf("benchmark frame: %v %v", c, err)
	}
	var prep, det time.Duration
	for b.Loop() {
		c, _ := r.Analyze(f, LivePolicy)
		prep += c.Timing.Prepare
		det += c.Timing.Detect
	}
	b.ReportMetric(float64(prep.Milliseconds())/float64(b.N), "ms-prepare+quality/op")
	b.ReportMetric(float64(det.Milliseconds())/float64(b.N), "ms-gofacedetect+descriptor/op")
}

// BenchmarkAnalyzeConcurrent runs frames from all cores through one
// Recognizer with 1 and with 2 go-face instances: how much a pool buys over
// go-face's internal mutexes.
func BenchmarkAnalyzeConcurrent(b *testing.B) {
	recognizer(b) // skip without models
	dir, _ := model.DefaultDir()
	f := frame640(b)
	defer f.Close()
	for _, inst := range []int{1, 2} {
		b.Run(fmt.Sprintf("instances=%d", inst), func(b *testing.B) {
			r, err := NewRecognizer(Options{ModelDir: dir, Instances: inst})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := r.Analyze(f, LivePolicy); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkClassify1N is the go-face baseline for the 1:N search: dlib's
// linear scan through SetSamples + Classify, over the same synthetic
// descriptors as matcher/faceindex's BenchmarkSearch (same seed and
// distribution), one query at a time.
//
//	go test -run '^$' -bench Classify1N -benchtime 5x ./matcher/face
func BenchmarkClassify1N(b *testing.B) {
	dir, err := model.DefaultDir()
	if err == nil {
		err = model.Check(dir)
	}
	if err != nil {
		b.Skipf("*** SKIPPED: go-face Classify baseline needs the models: %v ***", err)
	}
	g, err := goface.NewRecognizer(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d/1core", n), func(b *testing.B) {
			samples, cats := syntheticSamples(n)
			g.SetSamples(samples, cats)
			qs := samples[:64]
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				g.Classify(qs[i%len(qs)])
			}
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(n)*float64(b.N)/el, "cmp/s")
			g.SetSamples([]goface.Descriptor{{}}, []int32{0}) // free
		})
	}
}

// syntheticSamples draws n descriptors like faceindex's benchmarks do:
// components N(0, 0.12²).
func syntheticSamples(n int) ([]goface.Descriptor, []int32) {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	s := make([]goface.Descriptor, n)
	c := make([]int32, n)
	for i := range s {
		for j := range s[i] {
			s[i][j] = float32(r.NormFloat64() * 0.12)
		}
		c[i] = int32(i)
	}
	return s, c
}
