package desk

import (
	"context"
	"errors"
	"image"
	"time"

	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// Device and engine doubles for the assembly tests; the real ones are the
// device and matcher areas' packages.

type dbl struct{ id string }

func doubles(id string) workflow.Devices {
	d := dbl{id}
	return workflow.Devices{Card: d, Camera: d, FaceQuality: d, Scanner: d, FingerQuality: d, Matcher: d}
}

func pic() image.Image { return image.NewGray(image.Rect(0, 0, 32, 32)) }

var ok = workflow.Score{Value: 0.9, Threshold: 0.5, Match: true}

func (d dbl) ReadCard(ctx context.Context, k workflow.MRZKey, p func(int, int)) (workflow.Card, error) {
	return workflow.Card{IDNumber: d.id, FullName: "TRẦN VĂN AN", BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), Photo: pic()}, nil
}
func (d dbl) Frames(ctx context.Context) (<-chan image.Image, error) {
	ch := make(chan image.Image, 3)
	for i := 0; i < 3; i++ {
		ch <- pic()
	}
	close(ch)
	return ch, nil
}
func (d dbl) Assess(image.Image) (workflow.FrameQuality, error) {
	return workflow.FrameQuality{Found: true, Usable: true, Score: 0.9}, nil
}
func (d dbl) CaptureFinger(context.Context, workflow.FingerPosition) (image.Image, error) {
	return pic(), nil
}
func (d dbl) FingerQuality(image.Image) (int, error) { return 90, nil }
func (d dbl) FaceChip(context.Context, image.Image, image.Image) (workflow.Score, error) {
	return ok, nil
}
func (d dbl) FaceCache(context.Context, string, image.Image) (workflow.Score, error) { return ok, nil }
func (d dbl) FingerCache(context.Context, string, []workflow.FingerCapture) (workflow.Score, error) {
	return ok, nil
}
func (d dbl) Search(context.Context, image.Image, []workflow.FingerCapture, int) ([]workflow.Candidate, error) {
	return []workflow.Candidate{{IDNumber: d.id, Modality: "face", Score: ok}}, nil
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
