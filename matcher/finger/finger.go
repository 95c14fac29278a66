// Package finger is the station's fingerprint engine: it extracts minutiae
// templates from grey images (Extract), scores capture quality, and
// compares templates one to one (Matcher) and one to many (Index).
//
// Extraction is a pipeline of stages, one file each: decode and resample
// to 500 ppi, segmentation, orientation field, ridge period, Gabor
// enhancement, binarization, thinning, minutiae detection and the
// false-minutiae filters. Options.Transparency sees every stage's output
// and Options.DebugDir writes each as a PNG, in the manner of SourceAFIS.
package finger

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// Options tune extraction; the zero value is the production setting.
type Options struct {
	// Transparency, when set, receives each stage's image by stage name.
	Transparency func(stage string, img image.Image)
	// DebugDir, when set, receives each stage's image as STAGE.png.
	DebugDir string
}

// Stage names passed to Transparency, in pipeline order.
var Stages = []string{"decode", "segment", "orient", "normalize", "enhance", "binarize", "smooth", "thin", "minutiae", "filtered"}

// ErrRejected is returned with a zero Quality: the image holds no usable
// fingerprint, and no template is made from it.
var ErrRejected = errors.New("fingerprint rejected")

// MaxMinutiae caps a template: beyond it extra minutiae are mostly noise
// and only slow matching.
const MaxMinutiae = 80

func (o *Options) emit(stage string, img func() image.Image) error {
	if o == nil || (o.Transparency == nil && o.DebugDir == "") {
		return nil
	}
	im := img()
	if o.Transparency != nil {
		o.Transparency(stage, im)
	}
	if o.DebugDir != "" {
		f, err := os.Create(filepath.Join(o.DebugDir, stage+".png"))
		if err != nil {
			return fmt.Errorf("debug %s: %w", stage, err)
		}
		if err := png.Encode(f, im); err != nil {
			f.Close()
			return fmt.Errorf("debug %s: %w", stage, err)
		}
		return f.Close()
	}
	return nil
}

// Extract finds the minutiae of img and scores its quality. When the image
// holds no usable fingerprint it returns a nil template, the zero-score
// Quality with its reasons, and an error wrapping ErrRejected.
func Extract(img Image, opt *Options) (*template.Template, Quality, error) {
	if img.Gray == nil {
		return nil, Quality{0, []Feedback{Blank}}, fmt.Errorf("extract: no image: %w", ErrRejected)
	}
	// The stages' images go back to the pool when done with.
	var p, n, e *plane
	var b, s *binary
	defer func() {
		p.recycle()
		n.recycle()
		e.recycle()
		b.recycle()
		s.recycle()
	}()
	p = resample(img)
	in := qualityInputs{W: p.W, H: p.H}
	reject := func(q Quality) (*template.Template, Quality, error) {
		return nil, q, fmt.Errorf("extract: %v: %w", q, ErrRejected)
	}
	if q := quality(in); q.Score == 0 && len(q.Feedback) > 0 && q.Feedback[0] == WrongSize {
		return reject(q)
	}
	if err := opt.emit("decode", func() image.Image { return p.toGray() }); err != nil {
		return nil, Quality{}, err
	}
	mean, std := blockStats(p)
	in.GlobalStd = globalStd(p)
	g := gradients(p)
	m := segment(p, std, g)
	if err := opt.emit("segment", func() image.Image { return m.toGray() }); err != nil {
		return nil, Quality{}, err
	}
	f := flowField(g, m)
	if err := opt.emit("orient", func() image.Image { return f.toImage(m) }); err != nil {
		return nil, Quality{}, err
	}
	per := ridgePeriod(p, f, m)
	in.TotalBlocks = len(m.On)
	var fgMean, fgCon, coh float64
	for i, on := range m.On {
		if on {
			in.FgBlocks++
			fgMean += float64(mean.V[i])
			fgCon += float64(std.V[i])
			coh += float64(f.Coherence[i])
		}
	}
	if in.FgBlocks > 0 {
		n := float64(in.FgBlocks)
		in.FgMean, in.FgContrast, in.MeanCoh = fgMean/n, fgCon/n, coh/n
		in.CoherentFrac = coherentFraction(f, m)
	}
	if q := quality(in); q.Score == 0 && len(q.Feedback) > 0 && q.Feedback[0] != TooFewMinutiae {
		return reject(q)
	}
	n = normalize(p, mean, std)
	if err := opt.emit("normalize", func() image.Image { return n.toGray() }); err != nil {
		return nil, Quality{}, err
	}
	e = enhance(n, f, per, m)
	if err := opt.emit("enhance", func() image.Image { return e.toGray() }); err != nil {
		return nil, Quality{}, err
	}
	b = binarize(e, m)
	if err := opt.emit("binarize", func() image.Image { return b.toGray() }); err != nil {
		return nil, Quality{}, err
	}
	lim := plainLimits
	if v := smoothBinary(b, m); v != b {
		b.recycle()
		b, lim = v, votedLimits
	}
	if err := opt.emit("smooth", func() image.Image { return b.toGray() }); err != nil {
		return nil, Quality{}, err
	}
	s = thin(b)
	if err := opt.emit("thin", func() image.Image { return s.toGray() }); err != nil {
		return nil, Quality{}, err
	}
	ms := detect(s, m, f)
	if err := opt.emit("minutiae", func() image.Image { return drawMinutiae(s, ms) }); err != nil {
		return nil, Quality{}, err
	}
	filterBorder(ms, m)
	filterRidges(ms, s, lim)
	filterGaps(ms, lim)
	ms = keep(ms)
	if err := opt.emit("filtered", func() image.Image { return drawMinutiae(s, ms) }); err != nil {
		return nil, Quality{}, err
	}
	if len(ms) > MaxMinutiae {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Quality > ms[j].Quality })
		ms = ms[:MaxMinutiae]
	}
	in.Minutiae = len(ms)
	q := quality(in)
	if q.Score == 0 {
		return reject(q)
	}
	t := &template.Template{Width: p.W, Height: p.H, PPI: 500, Quality: uint8(q.Score), Minutiae: make([]template.Minutia, len(ms))}
	for i, mm := range ms {
		// Image angles run clockwise, ISO's counter-clockwise; and where
		// detect points an ending out of its ridge and a bifurcation at its
		// stem, ISO/IEC 19794-2 and INCITS 378 point them the other way.
		a := math.Pi - mm.Dir
		a = math.Mod(a+4*math.Pi, 2*math.Pi)
		t.Minutiae[i] = template.Minutia{X: mm.X, Y: mm.Y, Angle: a, Kind: mm.Kind, Quality: mm.Quality}
	}
	return t, q, nil
}

func globalStd(p *plane) float64 {
	var s, s2 float64
	for _, v := range p.Pix {
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	n := float64(len(p.Pix))
	return math.Sqrt(max(s2/n-(s/n)*(s/n), 0))
}

// coherentFraction is the fraction of foreground blocks (sampled on every
// other row and column) with clear ridge flow: random texture has little.
func coherentFraction(f *orientField, m *mask) float64 {
	n, ok := 0, 0
	for by := 0; by < f.BH; by += 2 {
		for bx := 0; bx < f.BW; bx += 2 {
			i := by*f.BW + bx
			if !m.On[i] {
				continue
			}
			n++
			if f.Coherence[i] > 0.3 {
				ok++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(ok) / float64(n)
}
