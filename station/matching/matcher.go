package matching

import (
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// Matcher is the workflow's matcher over both engines: the face checks
// from Face, the fingerprint checks from Fingers, and the 1:N search of
// both merged. Either may be nil: its checks are then unavailable.
type Matcher struct {
	Face    *Face
	Fingers *Fingers
}

var _ workflow.Matcher = Matcher{}

var errNoFace = fmt.Errorf("face engine: %w", workflow.ErrUnavailable)

// FaceChip implements workflow.Matcher.
func (m Matcher) FaceChip(ctx context.Context, live, chip image.Image) (workflow.Score, error) {
	if m.Face == nil {
		return workflow.Score{}, errNoFace
	}
	return m.Face.FaceChip(ctx, live, chip)
}

// FaceCache implements workflow.Matcher.
func (m Matcher) FaceCache(ctx context.Context, idNumber string, live image.Image) (workflow.Score, error) {
	if m.Face == nil {
		return workflow.Score{}, errNoFace
	}
	return m.Face.FaceCache(ctx, idNumber, live)
}

// FingerCache implements workflow.Matcher.
func (m Matcher) FingerCache(ctx context.Context, idNumber string, fingers []workflow.FingerCapture) (workflow.Score, error) {
	if m.Fingers == nil {
		return workflow.Score{}, fmt.Errorf("fingerprint engine: %w", workflow.ErrUnavailable)
	}
	return m.Fingers.FingerCache(ctx, idNumber, fingers)
}

// Search runs the face and the finger 1:N searches and returns both
// candidate lists. It is unavailable only when neither search could run.
func (m Matcher) Search(ctx context.Context, live image.Image, fingers []workflow.FingerCapture, k int) ([]workflow.Candidate, error) {
	var out []workflow.Candidate
	ran := false
	if m.Face != nil {
		c, err := m.Face.Search(ctx, live, fingers, k)
		switch {
		case errors.Is(err, workflow.ErrUnavailable):
		case err != nil:
			return nil, err
		default:
			ran = true
			out = append(out, c...)
		}
	}
	if m.Fingers != nil && len(fingers) > 0 {
		c, err := m.Fingers.Search(ctx, fingers, k)
		switch {
		case errors.Is(err, workflow.ErrUnavailable):
		case err != nil:
			return nil, err
		default:
			ran = true
			out = append(out, c...)
		}
	}
	if !ran {
		return nil, fmt.Errorf("1:N search: %w", workflow.ErrUnavailable)
	}
	return out, nil
}
