package face

import (
	"fmt"
	"os"
	"time"

	"gocv.io/x/gocv"

	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
)

// Capture is one analysed frame.
type Capture struct {
	Quality Quality
	// Faces are all faces found, for drawing boxes on the preview.
	Faces []Face
	// Descriptor is set only when Quality.OK(): a frame that failed a
	// check never yields a template.
	Descriptor *faceindex.Descriptor
	Timing     Timing
}

// Analyze finds the faces in a BGR (or grey) frame, judges its quality under
// p, and returns the descriptor of its one face if the frame passed.
func (r *Recognizer) Analyze(img gocv.Mat, p Policy) (*Capture, error) {
	faces, tm, err := r.detect(img)
	if err != nil {
		return nil, err
	}
	bgr := img
	if img.Type() != gocv.MatTypeCV8UC3 {
		bgr = gocv.NewMat()
		defer bgr.Close()
		if img.Type() == gocv.MatTypeCV8UC1 {
			gocv.CvtColor(img, &bgr, gocv.ColorGrayToBGR)
		} else {
			gocv.CvtColor(img, &bgr, gocv.ColorBGRAToBGR)
		}
	}
	t := time.Now()
	c := &Capture{Faces: faces, Quality: Assess(bgr, faces, p), Timing: tm}
	c.Timing.Prepare += time.Since(t)
	if c.Quality.OK() {
		d := faces[0].Descriptor
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("analyze frame: go-face returned %w", err)
		}
		c.Descriptor = &d
	}
	return c, nil
}

// AnalyzeBytes decodes an encoded image (JPEG, JPEG 2000, PNG) and analyses
// it. Bytes that are not an image give an error wrapping ErrNotImage.
func (r *Recognizer) AnalyzeBytes(b []byte, p Policy) (*Capture, error) {
	m, err := Decode(b)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	return r.Analyze(m, p)
}

// BestFrame keeps the best acceptable capture of a stream of frames: the
// camera runs for a few seconds and the officer gets the best one, or, when
// none passed, the reasons of the best failure to tell the citizen.
type BestFrame struct {
	best     *Capture
	bestFail *Capture
	frames   int
}

// Offer considers one capture and reports whether it is the new best.
func (b *BestFrame) Offer(c *Capture) bool {
	if c == nil {
		return false
	}
	b.frames++
	if c.Quality.OK() {
		if b.best == nil || c.Quality.Score > b.best.Quality.Score {
			b.best = c
			return true
		}
		return false
	}
	if b.bestFail == nil || failRank(c) > failRank(b.bestFail) {
		b.bestFail = c
	}
	return false
}

// failRank orders failed frames: fewer reasons first, then score.
func failRank(c *Capture) int { return -100*len(c.Quality.Reasons) + c.Quality.Score }

// Best returns the best acceptable capture, or nil and the most nearly
// acceptable failure.
func (b *BestFrame) Best() (best, nearest *Capture) { return b.best, b.bestFail }

// Frames counts the captures offered.
func (b *BestFrame) Frames() int { return b.frames }

// DescribeFile reads an image file and returns the descriptor of its one
// face, without quality gating: for evaluation over photo collections,
// where every usable face counts. Files with no face or several fail.
func (r *Recognizer) DescribeFile(path string) (faceindex.Descriptor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return faceindex.Descriptor{}, err
	}
	m, err := Decode(b)
	if err != nil {
		return faceindex.Descriptor{}, err
	}
	defer m.Close()
	faces, err := r.Detect(m)
	if err != nil {
		return faceindex.Descriptor{}, err
	}
	if len(faces) != 1 {
		return faceindex.Descriptor{}, fmt.Errorf("%d faces found, want 1", len(faces))
	}
	return faces[0].Descriptor, nil
}
