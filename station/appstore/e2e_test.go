package appstore

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/ui"
	"github.com/dinhdanh/dinhdanh/station/workflow"
	"github.com/dinhdanh/dinhdanh/sync/job"
	"github.com/dinhdanh/dinhdanh/sync/synctest"
)

// Device and matcher doubles: the chip, camera and scanner simulators and
// the engines are wired in station/desk as their areas land; this test
// covers the station's side from capture to the upstream outcome.

func img(seed uint8) image.Image {
	m := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range m.Pix {
		m.Pix[i] = seed + uint8(i)
	}
	return m
}

type cardDouble struct{ card workflow.Card }

func (c cardDouble) ReadCard(ctx context.Context, k workflow.MRZKey, p func(int, int)) (workflow.Card, error) {
	p(1, 1)
	return c.card, nil
}

type cameraDouble struct{}

func (cameraDouble) Frames(ctx context.Context) (<-chan image.Image, error) {
	ch := make(chan image.Image, 5)
	for i := 0; i < 5; i++ {
		ch <- img(uint8(i))
	}
	close(ch)
	return ch, nil
}

type qualityDouble struct{}

func (qualityDouble) Assess(m image.Image) (workflow.FrameQuality, error) {
	return workflow.FrameQuality{Found: true, Usable: true, Score: 0.9, Face: image.Rect(10, 10, 40, 40)}, nil
}

type scannerDouble struct{}

func (scannerDouble) CaptureFinger(ctx context.Context, p workflow.FingerPosition) (image.Image, error) {
	g := image.NewGray(image.Rect(0, 0, 40, 50))
	g.Set(1, 1, color.Gray{uint8(p)})
	return g, nil
}
func (scannerDouble) FingerQuality(image.Image) (int, error) { return 80, nil }

type matcherDouble struct{ id string }

var pass = workflow.Score{Value: 0.8, Threshold: 0.5, Match: true}

func (matcherDouble) FaceChip(context.Context, image.Image, image.Image) (workflow.Score, error) {
	return pass, nil
}
func (matcherDouble) FaceCache(context.Context, string, image.Image) (workflow.Score, error) {
	return pass, nil
}
func (matcherDouble) FingerCache(context.Context, string, []workflow.FingerCapture) (workflow.Score, error) {
	return pass, nil
}
func (m matcherDouble) Search(context.Context, image.Image, []workflow.FingerCapture, int) ([]workflow.Candidate, error) {
	return []workflow.Candidate{{IDNumber: m.id, Modality: "face", Score: pass}}, nil
}

// TestEndToEnd: card, portrait and fingers → verified application sealed in
// the station database → supervisor approval → nightly sync to the
// reference upstream on loopback → outcome pulled back into the queue.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	e := synctest.New(t)
	db, repo, _ := e.Station(t)
	users := &auth.Users{DB: db, Cost: bcrypt.MinCost}
	if err := users.RunSetup(ctx, auth.Setup{StationID: "HN-01", Office: "CA phường", Supervisor: auth.User{Name: "giamsat", FullName: "Giám Sát"}, Password: "giamsat2026"}, nil); err != nil {
		t.Fatal(err)
	}
	st := &Store{Repo: repo, Minutiae: func(image.Image) []ui.Minutia { return nil }}
	const id = "001090000123"
	card := workflow.Card{IDNumber: id, FullName: "NGUYỄN VĂN AN", Sex: "M", BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC),
		Expiry: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC), Photo: img(7), PassiveAuthOK: true}
	s := &workflow.Session{
		Devices: workflow.Devices{Card: cardDouble{card}, Camera: cameraDouble{}, FaceQuality: qualityDouble{}, Scanner: scannerDouble{}, FingerQuality: scannerDouble{}, Matcher: matcherDouble{id}},
		Apps:    st, Officer: "canbo", Role: "officer", PendingLimit: 5,
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(workflow.Start(ctx, s, workflow.DefaultPolicy()))
	key, _ := workflow.MRZKeyFromID(id, "02/01/1990", "02/01/2030")
	must(s.ReadCard(ctx, key, nil))
	must(s.ConfirmCard())
	must(s.RecordConsent(ctx, workflow.Consent{Given: true, TextVersion: "vi-1", Lang: "vi"}))
	_, err := s.CapturePortrait(ctx, nil)
	must(err)
	for _, p := range s.Reg.Policy.Fingers {
		_, err := s.CaptureFinger(ctx, p)
		must(err)
	}
	must(s.FinishFingers(ctx))
	d, err := s.Match(ctx)
	must(err)
	if d.Outcome != workflow.Verified {
		t.Fatalf("decision %s", d.Outcome)
	}
	must(s.EnterContact(workflow.Contact{Phone: "0912345678", Documents: []string{"health_insurance"}}))
	appID, err := s.Submit(ctx)
	must(err)

	if n, _ := st.PendingCount(ctx); n != 1 {
		t.Fatalf("pending %d", n)
	}
	sup := auth.User{Name: "giamsat", Role: auth.Supervisor}
	det, err := st.Detail(ctx, sup, appID)
	must(err)
	if det.ChipPhoto == nil || det.Portrait == nil || len(det.Fingers) != 2 || det.Outcome != "verified" || len(det.Checks) < 4 || len(det.Reasons) == 0 {
		t.Fatalf("evidence view: %+v", det)
	}
	if det.IDMasked == "" || strings.Contains(det.IDMasked, "090000") {
		t.Fatalf("masked ID %q", det.IDMasked)
	}
	if err := st.Approve(ctx, auth.User{Name: "canbo", Role: auth.Officer}, appID, ""); err == nil {
		t.Fatal("an officer approved")
	}
	must(st.Approve(ctx, sup, appID, "đủ điều kiện"))
	db.Close()

	var out bytes.Buffer
	res, err := job.Run(ctx, job.Options{DBPath: e.DBPath, KeyPath: e.KeyPath, TrustPath: e.TrustPath, SkipCache: true, Out: &out})
	if err != nil || res.Code != job.ExitOK {
		t.Fatalf("sync: %v\n%s", err, out.String())
	}
	up, err := e.Upstream.Application(ctx, appID)
	if err != nil || len(up.Evidence) < 4 {
		t.Fatalf("upstream holds %+v, %v", up, err)
	}
	db, repo, _ = e.Station(t)
	defer db.Close()
	st = &Store{Repo: repo}
	rows, err := st.List(ctx, string(application.Accepted), 10)
	if err != nil || len(rows) != 1 || rows[0].ID != appID {
		t.Fatalf("accepted list %+v %v\n%s", rows, err, out.String())
	}
}
