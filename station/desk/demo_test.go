package desk

import (
	"bytes"
	"context"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/config"
	"github.com/dinhdanh/dinhdanh/station/workflow"
	"github.com/dinhdanh/dinhdanh/sync/job"
	"github.com/dinhdanh/dinhdanh/sync/synctest"
)

// TestDemoDevices is the end-to-end test on the demo station's own
// devices: the CCCD simulator read over BAC and secure messaging, the
// synthetic camera judged by the face engine, the simulated USB scanner
// rated and matched by the fingerprint engine, the face and finger matchers
// over the synthetic citizen cache → a verified application → the supervisor's approval →
// the nightly sync to the reference upstream on loopback → the outcome
// back in the station's queue.
func TestDemoDevices(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the face models")
	}
	ctx := context.Background()
	e := synctest.New(t) // an enrolled station's key and database paths, and a running upstream
	cfg := config.Default()
	cfg.DataDir, cfg.DBPath, cfg.KeyFile, cfg.Demo, cfg.Devices = e.Dir, e.DBPath, e.KeyPath, true, "sim"
	d, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { d.Close() }()
	t.Logf("missing: %s", strings.Join(d.Missing, "; "))
	dev := d.Deps.Devices
	if dev.Card == nil || dev.Camera == nil || dev.Scanner == nil {
		t.Fatalf("demo devices not wired: %+v", d.Missing)
	}
	s := &workflow.Session{Devices: dev, Apps: d.Deps.Apps, Audit: d.Audit, Officer: "canbo", Role: "officer"}
	if err := workflow.Start(ctx, s, workflow.DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	p := chipsim.DemoPerson()
	wrong := workflow.MRZKey{DocumentNumber: p.IDNumber[3:], BirthDate: "950316", ExpiryDate: p.DateOfExpiry}
	if err := s.ReadCard(ctx, wrong, nil); !errorsIs(err, workflow.ErrAccessDenied) {
		t.Fatalf("wrong birth date: %v", err)
	}
	steps := 0
	key := workflow.MRZKey{DocumentNumber: p.IDNumber[3:], BirthDate: p.DateOfBirth, ExpiryDate: p.DateOfExpiry}
	if err := s.ReadCard(ctx, key, func(done, total int) { steps++ }); err != nil {
		t.Fatal(err)
	}
	c := s.Reg.Card
	if c.IDNumber != p.IDNumber || c.FullName != "Nguyễn Văn An" || !c.PassiveAuthOK || c.Photo == nil || c.BirthDate.Year() != 1995 || steps == 0 {
		t.Fatalf("card %+v (progress calls %d)", c, steps)
	}
	if err := s.ConfirmCard(); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordConsent(ctx, workflow.Consent{Given: true, TextVersion: "v1", Lang: "vi"}); err != nil {
		t.Fatal(err)
	}
	img, err := dev.Scanner.CaptureFinger(ctx, workflow.RightIndex)
	if err != nil || img.Bounds().Empty() {
		t.Fatalf("simulated scanner: %v", err)
	}
	if dev.FaceQuality == nil {
		t.Skipf("face engine not available: %v", d.Missing)
	}
	s.Capture = workflow.AutoCapture{MaxFrames: 10, GoodEnough: 0.8, StableFrames: 2}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	por, err := s.CapturePortrait(cctx, nil)
	if err != nil {
		t.Fatalf("portrait from the synthetic camera: %v", err)
	}
	t.Logf("portrait quality %.2f after %d frames", por.Quality, por.Frames)
	// The right index through the simulated scanner and the fingerprint
	// engine's quality; the left one as an exception.
	fc, err := s.CaptureFinger(ctx, workflow.RightIndex)
	for i := 1; err != nil && i < s.Reg.Policy.MaxFingerAttempts; i++ {
		fc, err = s.CaptureFinger(ctx, workflow.RightIndex)
	}
	t.Logf("right index quality %d after %d tries (%v)", fc.Quality, fc.Attempts, err)
	photo := image.NewGray(image.Rect(0, 0, 8, 8))
	if err := s.MarkFingerMissing(ctx, workflow.LeftIndex, "bandaged", photo); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishFingers(ctx); err != nil {
		t.Fatal(err)
	}
	dec, err := s.Match(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range dec.Reasons {
		t.Logf("%s %s %v", r.Outcome, r.Code, r.Args)
	}
	if dec.Evidence.FaceCache == nil || !dec.Evidence.FaceCache.Match {
		t.Errorf("live portrait does not match the demo citizen's cached template: %+v", dec.Evidence.FaceCache)
	}
	if dec.Evidence.FaceChip == nil || !dec.Evidence.FaceChip.Match {
		t.Errorf("live portrait does not match the demo card's chip photo: %+v", dec.Evidence.FaceChip)
	}
	// The simulated scanner's finger against the holder's cached templates
	// (another impression of the same FVC finger), at the engine's
	// calibrated threshold.
	if fc := dec.Evidence.FingerCache; fc == nil || !fc.Match || fc.FMR == 0 {
		t.Errorf("live right index does not match the demo citizen's cached finger: %+v", fc)
	} else {
		t.Logf("finger 1:1 score %.3f threshold %.3f FMR %g", fc.Value, fc.Threshold, fc.FMR)
	}
	fingerSearched, faceTop := false, false
	for _, c := range dec.Evidence.Candidates {
		if c.Modality == "face" && !faceTop {
			// The face index (loaded through cacheload) names candidates
			// by ID number, best first.
			faceTop = true
			if c.IDNumber != p.IDNumber || !c.Score.Match {
				t.Errorf("face 1:N: best candidate %s (%.2f), want the demo holder", idnum.Mask(c.IDNumber), c.Score.Value)
			}
		}
		if c.Modality != "finger" {
			continue
		}
		fingerSearched = true
		if c.IDNumber != p.IDNumber && c.Score.Match {
			t.Errorf("finger 1:N: synthetic citizen %s matches the demo finger (%.3f)", idnum.Mask(c.IDNumber), c.Score.Value)
		}
	}
	if !faceTop {
		t.Errorf("face 1:N returned nothing")
	}
	if !fingerSearched {
		t.Errorf("finger 1:N did not find the demo citizen: %+v", dec.Evidence.Candidates)
	}
	if dec.Outcome == workflow.Rejected {
		t.Fatalf("demo decision rejected")
	}
	s.EnterContact(workflow.Contact{Phone: "0912345678"})
	id, err := s.Submit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	det, err := d.Deps.Apps.Detail(ctx, auth.User{Name: "giamsat", Role: auth.Supervisor}, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range det.Fingers {
		t.Logf("evidence finger %s missing=%v minutiae=%d", f.Position, f.Missing, len(f.Minutiae))
		if !f.Missing && len(f.Minutiae) == 0 {
			t.Errorf("no minutiae drawn on %s", f.Position)
		}
	}
	sup, err := d.Deps.Users.Verify(ctx, "giamsat", "giamsat2026", auth.Supervisor)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Deps.Apps.Approve(ctx, sup, id, "ngoại lệ vân tay đã xem"); err != nil {
		t.Fatal(err)
	}
	d.Close()

	var out bytes.Buffer
	res, err := job.Run(ctx, job.Options{DBPath: e.DBPath, KeyPath: e.KeyPath, TrustPath: e.TrustPath, SkipCache: true, Out: &out})
	if err != nil || res.Code != job.ExitOK {
		t.Fatalf("sync: %v\n%s", err, out.String())
	}
	if up, err := e.Upstream.Application(ctx, id); err != nil || len(up.Evidence) == 0 {
		t.Fatalf("upstream does not hold %s: %v", id, err)
	}
	if d, err = Open(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if d.Deps.LastSync(ctx).IsZero() {
		t.Error("home screen's last sync time not found after a sync")
	}
	rows, err := d.Deps.Apps.List(ctx, "", 10)
	if err != nil || len(rows) != 1 || rows[0].ID != id {
		t.Fatalf("queue after sync: %+v %v", rows, err)
	}
	// The reference upstream rejects applications with a failed check; the
	// left index exception is not a failed one.
	t.Logf("outcome pulled back: %s\n%s", rows[0].State, out.String())
	if rows[0].State != "accepted" && rows[0].State != "upstream_rejected" {
		t.Fatalf("state after sync %s, want an upstream outcome", rows[0].State)
	}
}
