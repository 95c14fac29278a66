// Package face is the station's face engine: dlib's detector, 68 landmarks
// and ResNet descriptors through go-face, behind capture-quality checks and
// decisions calibrated on East Asian faces.
//
// The pipeline for one frame (Recognizer.Analyze):
//
//	decode (decode.go) → downscale → JPEG → go-face: faces, landmarks,
//	descriptors → quality (quality.go, pose.go, sharpness.go,
//	exposure.go) → a Capture holding a descriptor only if the frame passed.
//
// Descriptors are compared with Compare (decision.go), which reports the
// distance, a 0–100 similarity and the false match rate that distance
// corresponds to on the calibration data, and searched 1:N with
// matcher/faceindex.
package face

import (
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	goface "github.com/Kagami/go-face"
	"gocv.io/x/gocv"

	"github.com/dinhdanh/dinhdanh/matcher/face/model"
	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
)

// Detector selects dlib's face detector.
type Detector int

const (
	// HOG is dlib's frontal HOG detector: ~20 ms on a 640×480 frame, finds
	// frontal faces from about 80 px wide.
	HOG Detector = iota
	// CNN is dlib's MMOD detector: more robust to pose and light, ~50×
	// slower on a CPU.
	CNN
)

func (d Detector) String() string {
	if d == CNN {
		return "cnn"
	}
	return "hog"
}

// ParseDetector reads "hog" or "cnn".
func ParseDetector(s string) (Detector, error) {
	switch s {
	case "hog", "":
		return HOG, nil
	case "cnn", "mmod":
		return CNN, nil
	}
	return 0, fmt.Errorf("unknown face detector %q (want hog or cnn)", s)
}

// Options configures NewRecognizer. The zero value is what the station uses.
type Options struct {
	// ModelDir holds go-face's three model files; empty means
	// model.DefaultDir().
	ModelDir string
	// Detector is HOG by default.
	Detector Detector
	// Instances is how many go-face recognizers are loaded (each ~130 MB
	// and ~1 s to load). go-face serializes detection and the ResNet each
	// behind one mutex, so concurrent frames need more than one instance to
	// run in parallel. Zero means 1.
	Instances int
	// MaxSide bounds the longer side of the image handed to the detector:
	// larger images are downscaled first (a 2667×4000 photo takes 1.4 s at
	// full size). Zero means 800.
	MaxSide int
}

// Recognizer finds faces and computes their descriptors. It is safe for
// concurrent use: calls borrow one of the loaded go-face instances.
type Recognizer struct {
	opts Options
	pool chan *goface.Recognizer
	all  []*goface.Recognizer

	closeOnce sync.Once
}

// NewRecognizer checks the model folder and loads the recognizers. A missing
// or corrupt model file is reported by name (model.Check) before go-face,
// which can abort inside dlib, ever sees it.
func NewRecognizer(opts Options) (*Recognizer, error) {
	if opts.ModelDir == "" {
		d, err := model.DefaultDir()
		if err != nil {
			return nil, err
		}
		opts.ModelDir = d
	}
	if opts.Instances <= 0 {
		opts.Instances = 1
	}
	if opts.MaxSide <= 0 {
		opts.MaxSide = 800
	}
	if err := model.Check(opts.ModelDir); err != nil {
		return nil, fmt.Errorf("face recognizer: %w", err)
	}
	r := &Recognizer{opts: opts, pool: make(chan *goface.Recognizer, opts.Instances)}
	for i := 0; i < opts.Instances; i++ {
		g, err := goface.NewRecognizer(opts.ModelDir)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("face recognizer: load models from %s: %w", opts.ModelDir, err)
		}
		r.all = append(r.all, g)
		r.pool <- g
	}
	return r, nil
}

// Close frees the recognizers. Calls in flight must have returned.
func (r *Recognizer) Close() {
	r.closeOnce.Do(func() {
		for _, g := range r.all {
			g.Close()
		}
	})
}

// Face is one detected face, in the coordinates of the image given to
// Analyze or Detect.
type Face struct {
	Rect image.Rectangle
	// Landmarks are dlib's 68 points (iBUG 300-W order), or 5 when the
	// 5-point model is deployed.
	Landmarks  []image.Point
	Descriptor faceindex.Descriptor
}

// ErrNoRecognizer is returned by calls on a closed Recognizer.
var ErrNoRecognizer = errors.New("face recognizer closed")

// Detect finds every face in img and computes each one's descriptor, without
// judging quality. Most callers want Analyze.
func (r *Recognizer) Detect(img gocv.Mat) ([]Face, error) {
	faces, _, err := r.detect(img)
	return faces, err
}

// Timing splits the cost of one frame, for the transparency log and
// benchmarks.
type Timing struct {
	Prepare time.Duration // downscale and JPEG encode
	Detect  time.Duration // go-face: detector, landmarks, ResNet
}

func (r *Recognizer) detect(img gocv.Mat) ([]Face, Timing, error) {
	var tm Timing
	if img.Empty() {
		return nil, tm, fmt.Errorf("detect faces: %w: empty frame", ErrNotImage)
	}
	t0 := time.Now()
	small, scale, err := r.prepare(img)
	if err != nil {
		return nil, tm, err
	}
	defer small.Close()
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, small, []int{gocv.IMWriteJpegQuality, 95})
	if err != nil {
		return nil, tm, fmt.Errorf("detect faces: encode JPEG: %w", err)
	}
	jpg := append([]byte(nil), buf.GetBytes()...)
	buf.Close()
	t1 := time.Now()
	tm.Prepare = t1.Sub(t0)

	g, ok := <-r.pool
	if !ok || g == nil {
		return nil, tm, ErrNoRecognizer
	}
	var gf []goface.Face
	if r.opts.Detector == CNN {
		gf, err = g.RecognizeCNN(jpg)
	} else {
		gf, err = g.Recognize(jpg)
	}
	r.pool <- g
	tm.Detect = time.Since(t1)
	if err != nil {
		return nil, tm, fmt.Errorf("detect faces: %w", err)
	}
	faces := make([]Face, len(gf))
	inv := 1 / scale
	for i, f := range gf {
		faces[i] = Face{
			Rect:       scaleRect(f.Rectangle, inv),
			Descriptor: faceindex.Descriptor(f.Descriptor),
		}
		faces[i].Landmarks = make([]image.Point, len(f.Shapes))
		for j, p := range f.Shapes {
			faces[i].Landmarks[j] = image.Pt(int(float64(p.X)*inv+0.5), int(float64(p.Y)*inv+0.5))
		}
	}
	return faces, tm, nil
}

// prepare returns a 3-channel 8-bit copy of img whose longer side is at most
// MaxSide, and the factor applied.
func (r *Recognizer) prepare(img gocv.Mat) (gocv.Mat, float64, error) {
	src := img
	switch img.Type() {
	case gocv.MatTypeCV8UC3:
	case gocv.MatTypeCV8UC1, gocv.MatTypeCV8UC4:
		conv := gocv.NewMat()
		defer conv.Close()
		code := gocv.ColorGrayToBGR
		if img.Type() == gocv.MatTypeCV8UC4 {
			code = gocv.ColorBGRAToBGR
		}
		gocv.CvtColor(img, &conv, code)
		src = conv
	default:
		return gocv.Mat{}, 0, fmt.Errorf("detect faces: unsupported frame type %v", img.Type())
	}
	long := max(src.Cols(), src.Rows())
	scale := 1.0
	if long > r.opts.MaxSide {
		scale = float64(r.opts.MaxSide) / float64(long)
	}
	out := gocv.NewMat()
	if scale == 1 {
		src.CopyTo(&out)
	} else {
		sz := image.Pt(max(1, int(float64(src.Cols())*scale+0.5)), max(1, int(float64(src.Rows())*scale+0.5)))
		gocv.Resize(src, &out, sz, 0, 0, gocv.InterpolationArea)
	}
	return out, scale, nil
}

func scaleRect(r image.Rectangle, f float64) image.Rectangle {
	s := func(v int) int { return int(float64(v)*f + 0.5) }
	return image.Rect(s(r.Min.X), s(r.Min.Y), s(r.Max.X), s(r.Max.Y))
}
