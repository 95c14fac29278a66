package workflow

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/station/audit"
)

func testImage(c uint8) image.Image {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = c
	}
	return img
}

func testCard(id string) Card {
	return Card{IDNumber: id, FullName: "NGUYỄN VĂN A", BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), Photo: testImage(100)}
}

func goodFingers() []FingerCapture {
	return []FingerCapture{
		{Position: RightIndex, Image: testImage(1), Quality: 80, Attempts: 1},
		{Position: LeftIndex, Image: testImage(2), Quality: 70, Attempts: 1},
	}
}

func verified() Decision { return Decision{Outcome: Verified} }

// walk takes a registration from the start to the review step.
func walk(t *testing.T, r *Registration) {
	t.Helper()
	steps := []struct {
		name string
		do   func() error
		want Step
	}{
		{"card", func() error { return r.CardRead(testCard("001090000123")) }, StepCardData},
		{"confirm", r.ConfirmCard, StepConsent},
		{"consent", func() error { return r.RecordConsent(Consent{Given: true, TextVersion: "v1", Lang: "vi"}) }, StepPortrait},
		{"portrait", func() error { return r.PortraitCaptured(Portrait{Image: testImage(3), Quality: 0.9}) }, StepFingers},
		{"fingers", func() error { return r.FingersCaptured(goodFingers()) }, StepMatch},
		{"decide", func() error { return r.Decided(verified()) }, StepContact},
		{"contact", func() error { return r.ContactEntered(Contact{Phone: "0912 345 678"}) }, StepReview},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if r.Step() != s.want {
			t.Fatalf("after %s: step %s, want %s", s.name, r.Step(), s.want)
		}
	}
}

func TestHappyPath(t *testing.T) {
	r := New(DefaultPolicy())
	walk(t, r)
	if err := r.Submitted("app-1"); err != nil {
		t.Fatal(err)
	}
	if r.Step() != StepDone || !r.Final() {
		t.Fatalf("step %s", r.Step())
	}
	if len(r.History) != 8 {
		t.Errorf("%d transitions, want 8", len(r.History))
	}
}

func TestGuardsRejectOutOfOrderEvents(t *testing.T) {
	r := New(DefaultPolicy())
	for name, f := range map[string]func() error{
		"confirm":  r.ConfirmCard,
		"consent":  func() error { return r.RecordConsent(Consent{Given: true}) },
		"portrait": func() error { return r.PortraitCaptured(Portrait{Image: testImage(1), Quality: 1}) },
		"fingers":  func() error { return r.FingersCaptured(goodFingers()) },
		"decide":   func() error { return r.Decided(verified()) },
		"contact":  func() error { return r.ContactEntered(Contact{Phone: "0912345678"}) },
		"submit":   func() error { return r.Submitted("x") },
		"retry":    func() error { return r.Retry(StepPortrait) },
	} {
		if err := f(); !errors.Is(err, ErrWrongStep) {
			t.Errorf("%s at card step: err %v, want ErrWrongStep", name, err)
		}
		if r.Step() != StepCard {
			t.Fatalf("%s moved to %s", name, r.Step())
		}
	}
}

func TestRetryKeepsEarlierCaptures(t *testing.T) {
	r := New(DefaultPolicy())
	walk(t, r)
	if err := r.Retry(StepPortrait); err != nil {
		t.Fatal(err)
	}
	if r.Card == nil || r.Consent == nil || r.Portrait == nil || r.Fingers == nil || r.Contact == nil || r.Decision == nil {
		t.Fatal("retry dropped a capture")
	}
	// A low-quality portrait is refused and the old one kept.
	old := r.Portrait
	if err := r.PortraitCaptured(Portrait{Image: testImage(9), Quality: 0.1}); !errors.Is(err, ErrLowQuality) {
		t.Fatalf("low quality: %v", err)
	}
	if r.Portrait != old || r.Step() != StepPortrait {
		t.Fatal("refused portrait changed state")
	}
	// A new portrait voids only the decision: fingers are kept, so the
	// registration resumes at matching, then jumps to review (contact kept).
	if err := r.PortraitCaptured(Portrait{Image: testImage(9), Quality: 0.95}); err != nil {
		t.Fatal(err)
	}
	if r.Decision != nil || r.Step() != StepMatch {
		t.Fatalf("after new portrait: step %s decision %v", r.Step(), r.Decision)
	}
	if err := r.Decided(verified()); err != nil {
		t.Fatal(err)
	}
	if r.Step() != StepReview || r.Contact.Phone != "0912345678" {
		t.Fatalf("resume: step %s contact %+v", r.Step(), r.Contact)
	}
	if err := r.Retry(StepDone); !errors.Is(err, ErrWrongStep) {
		t.Fatalf("retry done: %v", err)
	}
}

func TestDifferentCardStartsOver(t *testing.T) {
	r := New(DefaultPolicy())
	walk(t, r)
	r.Retry(StepCard)
	if err := r.CardRead(testCard("001090000123")); err != nil {
		t.Fatal(err)
	}
	if r.Portrait == nil {
		t.Fatal("same card re-read dropped the portrait")
	}
	r.Retry(StepCard)
	if err := r.CardRead(testCard("079190000456")); err != nil {
		t.Fatal(err)
	}
	if r.Portrait != nil || r.Consent != nil || r.Fingers != nil || r.Furthest() != StepCardData {
		t.Fatal("another citizen's card kept the previous captures")
	}
}

func TestRejectedDecisionBlocksSubmission(t *testing.T) {
	r := New(DefaultPolicy())
	r.CardRead(testCard("001090000123"))
	r.ConfirmCard()
	r.RecordConsent(Consent{Given: true})
	r.PortraitCaptured(Portrait{Image: testImage(1), Quality: 0.9})
	r.FingersCaptured(goodFingers())
	if err := r.Decided(Decision{Outcome: Rejected}); err != nil {
		t.Fatal(err)
	}
	if r.Step() != StepMatch {
		t.Fatalf("rejected decision moved to %s", r.Step())
	}
	if err := r.Ready(); !errors.Is(err, ErrNotVerifiable) {
		t.Fatalf("Ready: %v", err)
	}
	if err := r.Retry(StepFingers); err != nil {
		t.Fatal(err)
	}
	if err := r.Cancel("citizen left"); err != nil {
		t.Fatal(err)
	}
	if r.Step() != StepCancelled || r.Card == nil || r.Portrait == nil {
		t.Fatal("cancel lost captures")
	}
	if err := r.Cancel("again"); !errors.Is(err, ErrWrongStep) {
		t.Fatalf("second cancel: %v", err)
	}
}

func TestConsentRefused(t *testing.T) {
	r := New(DefaultPolicy())
	r.CardRead(testCard("001090000123"))
	r.ConfirmCard()
	if err := r.RecordConsent(Consent{Given: false}); !errors.Is(err, ErrNoConsent) {
		t.Fatalf("refusal: %v", err)
	}
	if r.Step() != StepConsent || r.Consent == nil || r.Consent.At.IsZero() {
		t.Fatal("refusal not recorded in place")
	}
}

func TestCheckFingers(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		name string
		fs   []FingerCapture
		ok   bool
	}{
		{"good", goodFingers(), true},
		{"one missing", goodFingers()[:1], false},
		{"low quality first try", []FingerCapture{{Position: RightIndex, Image: testImage(1), Quality: 10, Attempts: 1}, goodFingers()[1]}, false},
		{"low quality last try", []FingerCapture{{Position: RightIndex, Image: testImage(1), Quality: 10, Attempts: 3}, goodFingers()[1]}, true},
		{"exception", []FingerCapture{{Position: RightIndex, Missing: true, MissingReason: "amputated", ExceptionPhoto: testImage(5)}, goodFingers()[1]}, true},
		{"exception no photo", []FingerCapture{{Position: RightIndex, Missing: true, MissingReason: "amputated"}, goodFingers()[1]}, false},
		{"exception no reason", []FingerCapture{{Position: RightIndex, Missing: true, ExceptionPhoto: testImage(5)}, goodFingers()[1]}, false},
		{"bad position", append(goodFingers(), FingerCapture{Position: 11}), false},
	} {
		err := p.CheckFingers(tc.fs)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if err != nil && !errors.Is(err, ErrFingers) {
			t.Errorf("%s: %v is not ErrFingers", tc.name, err)
		}
	}
}

func TestDecide(t *testing.T) {
	match := &Score{Value: 0.8, Threshold: 0.5, Match: true}
	miss := &Score{Value: 0.2, Threshold: 0.5, Match: false}
	claimed := "001090000123"
	self := Candidate{IDNumber: claimed, Modality: "face", Score: *match}
	other := Candidate{IDNumber: "079190000456", Modality: "face", Score: Score{Value: 0.9, Threshold: 0.5, Match: true}}
	otherLow := Candidate{IDNumber: "079190000456", Modality: "face", Score: *miss}
	for _, tc := range []struct {
		name   string
		ev     Evidence
		want   Outcome
		reason string
	}{
		{"all match", Evidence{FaceChip: match, InCache: true, FaceCache: match, FingerCache: match, Candidates: []Candidate{self, otherLow}, FingersCaptured: 2}, Verified, "reason.no_duplicate"},
		{"chip mismatch", Evidence{FaceChip: miss, InCache: true, FaceCache: match, FingerCache: match, FingersCaptured: 2}, Rejected, "reason.face_chip_mismatch"},
		{"no chip photo", Evidence{InCache: true, FaceCache: match, FingerCache: match, FingersCaptured: 2}, Review, "reason.face_chip_unavailable"},
		{"not in cache", Evidence{FaceChip: match, FingersCaptured: 2}, Review, "reason.not_in_cache"},
		{"one cache check fails", Evidence{FaceChip: match, InCache: true, FaceCache: match, FingerCache: miss, FingersCaptured: 2}, Review, "reason.finger_cache_mismatch"},
		{"both cache checks fail", Evidence{FaceChip: match, InCache: true, FaceCache: miss, FingerCache: miss, FingersCaptured: 2}, Rejected, "reason.cache_all_mismatch"},
		{"duplicate", Evidence{FaceChip: match, InCache: true, FaceCache: match, FingerCache: match, Candidates: []Candidate{other, self}, FingersCaptured: 2}, Rejected, "reason.duplicate"},
		{"missing fingers", Evidence{FaceChip: match, InCache: true, FaceCache: match, FingerCache: match, FingersCaptured: 1, FingersMissing: 1}, Review, "reason.fingers_missing"},
		{"no fingers", Evidence{FaceChip: match, InCache: true, FaceCache: match, FingersMissing: 2}, Review, "reason.no_fingers"},
	} {
		tc.ev.ClaimedID = claimed
		d := Decide(tc.ev)
		if d.Outcome != tc.want {
			t.Errorf("%s: outcome %s, want %s (%+v)", tc.name, d.Outcome, tc.want, d.Reasons)
		}
		found := false
		for _, r := range d.Reasons {
			found = found || r.Code == tc.reason
			if r.Code == "reason.duplicate" && strings.Contains(r.Args["id"], "079190") {
				t.Errorf("%s: duplicate reason shows the full ID", tc.name)
			}
		}
		if !found {
			t.Errorf("%s: no reason %s in %+v", tc.name, tc.reason, d.Reasons)
		}
	}
}

func TestMRZAndContactValidation(t *testing.T) {
	k, err := MRZKeyFromID("001090000123", "02/01/1990", "02/01/2030")
	if err != nil || k.DocumentNumber != "090000123" || k.BirthDate != "900102" || k.ExpiryDate != "300102" {
		t.Fatalf("MRZKeyFromID = %+v, %v", k, err)
	}
	for _, bad := range [][3]string{{"00109000012", "02/01/1990", "02/01/2030"}, {"999090000123", "02/01/1990", "02/01/2030"}, {"001090000123", "31/02/1990", "02/01/2030"}, {"00109000012a", "02/01/1990", "02/01/2030"}} {
		if _, err := MRZKeyFromID(bad[0], bad[1], bad[2]); !errors.Is(err, ErrBadMRZ) {
			t.Errorf("MRZKeyFromID(%v) = %v, want ErrBadMRZ", bad, err)
		}
	}
	for in, want := range map[string]string{"0912345678": "0912345678", "+84 912 345 678": "0912345678", "84912345678": "0912345678", "091-234-5678": "0912345678"} {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"012345678", "0212345678", "09123456789", "09a2345678", "+8491234567"} {
		if _, err := NormalizePhone(bad); !errors.Is(err, ErrBadContact) {
			t.Errorf("NormalizePhone(%q) accepted", bad)
		}
	}
	for _, tc := range []struct {
		c  Contact
		ok bool
	}{
		{Contact{Email: "a@b.vn"}, true},
		{Contact{Email: "a@b"}, false},
		{Contact{Email: "Name <a@b.vn>"}, false},
		{Contact{}, false},
		{Contact{Phone: "0912345678", Documents: []string{"passport", "passport"}}, true},
		{Contact{Phone: "0912345678", Documents: []string{"nonsense"}}, false},
	} {
		v, err := tc.c.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("Validate(%+v) = %v", tc.c, err)
		}
		if err == nil && len(tc.c.Documents) == 2 && len(v.Documents) != 1 {
			t.Errorf("duplicates kept: %v", v.Documents)
		}
	}

}

// --- Session with in-test devices ---

type fakeCard struct {
	card Card
	err  error
}

func (f fakeCard) ReadCard(ctx context.Context, k MRZKey, progress func(int, int)) (Card, error) {
	for i := 0; i <= 4; i++ {
		progress(i, 4)
	}
	return f.card, f.err
}

type fakeCamera struct{ scores []float64 }

func (f fakeCamera) Frames(ctx context.Context) (<-chan image.Image, error) {
	ch := make(chan image.Image)
	go func() {
		defer close(ch)
		for i := range f.scores {
			select {
			case ch <- testImage(uint8(i)):
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

type fakeQuality struct{ scores []float64 }

func (f fakeQuality) Assess(img image.Image) (FrameQuality, error) {
	i := int(img.At(0, 0).(color.Gray).Y)
	s := f.scores[i]
	return FrameQuality{Found: s > 0, Usable: s > 0, Score: s}, nil
}

type fakeScanner struct{ q []int }

func (f *fakeScanner) CaptureFinger(ctx context.Context, p FingerPosition) (image.Image, error) {
	q := f.q[0]
	f.q = f.q[1:]
	return testImage(uint8(q)), nil
}

func (f *fakeScanner) FingerQuality(img image.Image) (int, error) {
	return int(img.At(0, 0).(color.Gray).Y), nil
}

type fakeMatcher struct {
	chip, face, finger Score
	inCache            bool
	cands              []Candidate
}

func (m fakeMatcher) FaceChip(ctx context.Context, a, b image.Image) (Score, error) {
	return m.chip, nil
}
func (m fakeMatcher) FaceCache(ctx context.Context, id string, a image.Image) (Score, error) {
	if !m.inCache {
		return Score{}, ErrNotInCache
	}
	return m.face, nil
}
func (m fakeMatcher) FingerCache(ctx context.Context, id string, f []FingerCapture) (Score, error) {
	return m.finger, nil
}
func (m fakeMatcher) Search(ctx context.Context, a image.Image, f []FingerCapture, k int) ([]Candidate, error) {
	return m.cands, nil
}

type fakeApps struct{ pending, submitted int }

func (a *fakeApps) Submit(ctx context.Context, r *Registration, officer, role string) (string, error) {
	a.submitted++
	a.pending++
	return "app-42", nil
}
func (a *fakeApps) PendingCount(ctx context.Context) (int, error) { return a.pending, nil }

type memAudit struct{ entries []audit.Entry }

func (m *memAudit) Record(ctx context.Context, e audit.Entry) error {
	m.entries = append(m.entries, e)
	return nil
}

func TestSessionEndToEnd(t *testing.T) {
	ctx := context.Background()
	scores := []float64{0, 0.3, 0.6, 0.85, 0.9, 0.95, 0.5}
	sc := &fakeScanner{q: []int{20, 60, 80}}
	ok := Score{Value: 0.8, Threshold: 0.5, Match: true}
	apps := &fakeApps{}
	au := &memAudit{}
	s := &Session{
		Devices: Devices{
			Card: fakeCard{card: testCard("001090000123")}, Camera: fakeCamera{scores}, FaceQuality: fakeQuality{scores},
			Scanner: sc, FingerQuality: sc,
			Matcher: fakeMatcher{chip: ok, face: ok, finger: ok, inCache: true, cands: []Candidate{{IDNumber: "001090000123", Modality: "face", Score: ok}}},
		},
		Apps: apps, Audit: au, Officer: "can_bo", Role: "officer", PendingLimit: 2,
	}
	if err := Start(ctx, s, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	if err := s.ReadCard(ctx, MRZKey{DocumentNumber: "12", BirthDate: "900102", ExpiryDate: "300102"}, nil); !errors.Is(err, ErrBadMRZ) {
		t.Fatalf("bad key: %v", err)
	}
	key, _ := MRZKeyFromID("001090000123", "02/01/1990", "02/01/2030")
	var last [2]int
	if err := s.ReadCard(ctx, key, func(d, n int) { last = [2]int{d, n} }); err != nil {
		t.Fatal(err)
	}
	if last != [2]int{4, 4} {
		t.Errorf("progress ended at %v", last)
	}
	s.ConfirmCard()
	if err := s.RecordConsent(ctx, Consent{Given: true, TextVersion: "v1", Lang: "vi"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.CapturePortrait(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Frames 3, 4, 5 reach 0.8 three times in a row: the best of them wins
	// and frame 6 is never read.
	if p.Quality != 0.95 || p.Frames != 6 {
		t.Errorf("portrait quality %.2f after %d frames, want 0.95 after 6", p.Quality, p.Frames)
	}
	if _, err := s.CaptureFinger(ctx, RightIndex); !errors.Is(err, ErrLowQuality) {
		t.Fatalf("first low-quality scan: %v", err)
	}
	if err := s.FinishFingers(ctx); !errors.Is(err, ErrFingers) {
		t.Fatalf("finish with fingers incomplete: %v", err)
	}
	if f, err := s.CaptureFinger(ctx, RightIndex); err != nil || f.Quality != 60 || f.Attempts != 2 {
		t.Fatalf("second scan: %+v %v", f, err)
	}
	if err := s.MarkFingerMissing(ctx, LeftIndex, "", nil); err == nil {
		t.Fatal("exception without reason accepted")
	}
	if err := s.MarkFingerMissing(ctx, LeftIndex, "bandaged", testImage(7)); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishFingers(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.Match(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Outcome != Review {
		t.Errorf("missing finger decision %s, want review", d.Outcome)
	}
	if err := s.EnterContact(Contact{Email: "x@y.vn"}); err != nil {
		t.Fatal(err)
	}
	id, err := s.Submit(ctx)
	if err != nil || id != "app-42" || s.Reg.Step() != StepDone {
		t.Fatalf("submit: %q %v %s", id, err, s.Reg.Step())
	}
	for _, e := range au.entries {
		if e.Object != "" && strings.Contains(e.Object, "001090") {
			t.Errorf("audit entry %s holds the full ID", e.Action)
		}
	}
	if len(au.entries) < 7 {
		t.Errorf("%d audit entries", len(au.entries))
	}
	// Pending limit.
	apps.pending = 2
	if err := Start(ctx, s, DefaultPolicy()); !errors.Is(err, ErrPendingLimit) {
		t.Fatalf("start above pending limit: %v", err)
	}
}

func TestSessionDeviceErrorsKeepCaptures(t *testing.T) {
	ctx := context.Background()
	s := &Session{Devices: Devices{Card: fakeCard{err: ErrAccessDenied}}}
	Start(ctx, s, DefaultPolicy())
	key, _ := MRZKeyFromID("001090000123", "02/01/1990", "02/01/2030")
	err := s.ReadCard(ctx, key, nil)
	if !errors.Is(err, ErrAccessDenied) || s.Reg.Step() != StepCard {
		t.Fatalf("wrong key on chip: %v at %s", err, s.Reg.Step())
	}
	if w, n := Advice(err); w != "err.access_denied" || n != "next.access_denied" {
		t.Errorf("advice %s %s", w, n)
	}
	s.Devices.Card = fakeCard{card: testCard("001090000123")}
	if err := s.ReadCard(ctx, key, nil); err != nil {
		t.Fatal(err)
	}
	s.ConfirmCard()
	s.RecordConsent(ctx, Consent{Given: true})
	if _, err := s.CapturePortrait(ctx, nil); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("no camera: %v", err)
	}
	if s.Reg.Card == nil || s.Reg.Consent == nil || s.Reg.Step() != StepPortrait {
		t.Fatal("device error lost captures")
	}
	// A camera showing no face: clear error, still at the portrait step.
	scores := []float64{0, 0, 0}
	s.Devices.Camera, s.Devices.FaceQuality = fakeCamera{scores}, fakeQuality{scores}
	s.Capture.MaxFrames = 10
	if _, err := s.CapturePortrait(ctx, nil); !errors.Is(err, ErrLowQuality) {
		t.Fatalf("no face: %v", err)
	}
}

func TestWorkingDays(t *testing.T) {
	fri := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	if got := AddWorkingDays(fri, 3); got.Weekday() != time.Wednesday || got.Day() != 25 {
		t.Errorf("Friday + 3 working days = %v", got)
	}
	mon := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	dl := AddWorkingDays(mon, 3)
	if n := WorkingDaysLeft(mon, dl); n != 3 {
		t.Errorf("left on Monday: %d", n)
	}
	if n := WorkingDaysLeft(dl.AddDate(0, 0, 4), dl); n != -2 {
		t.Errorf("left two days after: %d", n)
	}
}

func TestAdviceDiskFull(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("write receipt: %w", &os.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC}),
		errors.New("store application: database or disk is full"),
	} {
		if w, n := Advice(err); w != "err.disk_full" || n != "next.disk_full" {
			t.Errorf("Advice(%v) = %s, %s", err, w, n)
		}
	}
}
