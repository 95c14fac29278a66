// Package matching connects the registration workflow to the biometric
// engines: the face engine (matcher/face) judges camera frames and compares
// the live portrait with the chip photo, with the cached template of the
// card's ID number (sync/cache) and, through the 1:N index
// (matcher/faceindex), with every cached citizen; and the fingerprint
// engine (matcher/finger) rates finger captures and compares them with the
// cached finger templates of the card's ID number and, through an
// in-memory index, with every cached citizen's. Matcher joins the two for
// the workflow.
package matching

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"sync"

	"github.com/dinhdanh/dinhdanh/matcher/face"
	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
	"github.com/dinhdanh/dinhdanh/matcher/faceindex/cacheload"
	"github.com/dinhdanh/dinhdanh/station/workflow"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

// Face implements workflow.FaceQuality and workflow.Matcher with the face
// engine. It is safe for concurrent use.
type Face struct {
	rec   *face.Recognizer
	m     *face.Matcher
	cache *cache.Cache // nil: no cached citizens

	mu    sync.Mutex
	index *faceindex.Index // IDs from cacheload: the ID numbers
	// recent keeps the descriptors of the last frames assessed, so the
	// chosen portrait is not analysed again for each comparison.
	recent []analysed
}

type analysed struct {
	img image.Image
	p   face.Policy
	d   *faceindex.Descriptor
	q   face.Quality
}

const recentFrames = 8

// NewFace loads nothing itself: rec and m come from matcher/face, c may be
// nil. Call BuildIndex to enable the 1:N search.
func NewFace(rec *face.Recognizer, m *face.Matcher, c *cache.Cache) *Face {
	return &Face{rec: rec, m: m, cache: c}
}

// BuildIndex loads every cached face descriptor into the 1:N index
// (through matcher/faceindex/cacheload, whose index IDs are the ID numbers)
// and returns how many. The index is built once: a sync that changes the
// cache while the app runs is searched from the next start.
func (f *Face) BuildIndex(ctx context.Context) (int, error) {
	if f.cache == nil {
		return 0, nil
	}
	ix, err := faceindex.New(faceindex.Options{})
	if err != nil {
		return 0, err
	}
	if err := ix.Load(ctx, cacheload.Source{Cache: f.cache}); err != nil {
		return 0, fmt.Errorf("build face index: %w", err)
	}
	f.mu.Lock()
	f.index = ix
	f.mu.Unlock()
	return ix.Len(), nil
}

// analyse runs the engine on img under p, reusing a recent result.
func (f *Face) analyse(img image.Image, p face.Policy) (*faceindex.Descriptor, face.Quality, []face.Face, error) {
	f.mu.Lock()
	for _, a := range f.recent {
		if a.img == img && a.p == p {
			f.mu.Unlock()
			return a.d, a.q, nil, nil
		}
	}
	f.mu.Unlock()
	mat, err := face.FromImage(img)
	if err != nil {
		return nil, face.Quality{}, nil, fmt.Errorf("%w: %v", workflow.ErrDevice, err)
	}
	defer mat.Close()
	c, err := f.rec.Analyze(mat, p)
	if err != nil {
		return nil, face.Quality{}, nil, err
	}
	f.mu.Lock()
	f.recent = append(f.recent, analysed{img: img, p: p, d: c.Descriptor, q: c.Quality})
	if len(f.recent) > recentFrames {
		f.recent = f.recent[len(f.recent)-recentFrames:]
	}
	f.mu.Unlock()
	return c.Descriptor, c.Quality, c.Faces, nil
}

// problemKeys turns the engine's reasons into the screen's instruction keys.
var problemKeys = map[face.Reason]string{
	face.NoFace: "quality.no_face", face.ManyFaces: "quality.several_faces", face.FaceTooSmall: "quality.too_small",
	face.FaceCut: "quality.face_cut", face.PoseYaw: "quality.not_frontal", face.PosePitch: "quality.not_frontal",
	face.PoseRoll: "quality.head_tilted", face.Blurred: "quality.blurred", face.TooDark: "quality.too_dark",
	face.TooBright: "quality.too_bright", face.LowContrast: "quality.low_contrast",
}

// Assess judges one camera frame for the live portrait.
func (f *Face) Assess(img image.Image) (workflow.FrameQuality, error) {
	d, q, faces, err := f.analyse(img, face.LivePolicy)
	if err != nil {
		return workflow.FrameQuality{}, err
	}
	fq := workflow.FrameQuality{Found: len(faces) > 0 || d != nil, Usable: d != nil, Score: float64(q.Score) / 100}
	if len(faces) > 0 {
		fq.Face = faces[0].Rect
	}
	seen := map[string]bool{}
	for _, r := range q.Reasons {
		k, ok := problemKeys[r]
		if !ok {
			k = "quality.other"
		}
		if !seen[k] {
			seen[k] = true
			fq.Problems = append(fq.Problems, k)
		}
	}
	return fq, nil
}

func (f *Face) score(d face.Decision) workflow.Score {
	return workflow.Score{Value: float64(d.Score), Threshold: math.Round(-20 * math.Log10(d.TargetFMR)), Match: d.Match, FMR: d.TargetFMR}
}

func (f *Face) live(img image.Image) (*faceindex.Descriptor, error) {
	d, q, _, err := f.analyse(img, face.LivePolicy)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("live portrait: %s: %w", q, workflow.ErrLowQuality)
	}
	return d, nil
}

// FaceChip compares the live portrait with the chip photo. A chip photo
// the engine cannot use makes the check unavailable.
func (f *Face) FaceChip(ctx context.Context, live, chip image.Image) (workflow.Score, error) {
	dl, err := f.live(live)
	if err != nil {
		return workflow.Score{}, err
	}
	dc, q, _, err := f.analyse(chip, face.ChipPolicy)
	if err != nil {
		return workflow.Score{}, fmt.Errorf("chip photo: %w", err)
	}
	if dc == nil {
		return workflow.Score{}, fmt.Errorf("chip photo: %s: %w", q, workflow.ErrUnavailable)
	}
	return f.score(f.m.Compare(dl, dc)), nil
}

// FaceCache compares the live portrait with the cached descriptor of the
// ID number.
func (f *Face) FaceCache(ctx context.Context, idNumber string, live image.Image) (workflow.Score, error) {
	if f.cache == nil {
		return workflow.Score{}, workflow.ErrNotInCache
	}
	z, err := f.cache.Lookup(ctx, idNumber)
	if errors.Is(err, cache.ErrNotFound) {
		return workflow.Score{}, workflow.ErrNotInCache
	}
	if err != nil {
		return workflow.Score{}, err
	}
	if !z.HasFace {
		return workflow.Score{}, fmt.Errorf("no cached face: %w", workflow.ErrUnavailable)
	}
	dl, err := f.live(live)
	if err != nil {
		return workflow.Score{}, err
	}
	d := faceindex.Descriptor(z.Face)
	return f.score(f.m.Compare(dl, &d)), nil
}

// FingerCache is not the face engine's: Matcher takes it from Fingers.
func (f *Face) FingerCache(ctx context.Context, idNumber string, fingers []workflow.FingerCapture) (workflow.Score, error) {
	return workflow.Score{}, fmt.Errorf("fingerprint matching: %w", workflow.ErrUnavailable)
}

// Search returns the k cached citizens whose faces are nearest the live
// portrait, each with its calibrated score.
func (f *Face) Search(ctx context.Context, live image.Image, fingers []workflow.FingerCapture, k int) ([]workflow.Candidate, error) {
	f.mu.Lock()
	ix := f.index
	f.mu.Unlock()
	if ix == nil || ix.Len() == 0 {
		return nil, fmt.Errorf("face 1:N: empty index: %w", workflow.ErrUnavailable)
	}
	dl, err := f.live(live)
	if err != nil {
		return nil, err
	}
	res, err := ix.Search(*dl, k)
	if err != nil {
		return nil, fmt.Errorf("face 1:N: %w", err)
	}
	out := make([]workflow.Candidate, 0, len(res))
	for _, r := range res {
		out = append(out, workflow.Candidate{IDNumber: cacheload.IDNumber(r.ID), Modality: "face", Score: f.score(f.m.Decide(float64(r.Distance)))})
	}
	return out, nil
}

// Descriptor returns the face descriptor of a photo judged under the chip
// policy (a still, not a live frame), for enrolling demo citizens.
func (f *Face) Descriptor(img image.Image) (*faceindex.Descriptor, error) {
	d, q, _, err := f.analyse(img, face.ChipPolicy)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("no usable face: %s", q)
	}
	return d, nil
}
