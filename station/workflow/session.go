package workflow

import (
	"context"
	"errors"
	"fmt"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"image"
	"sync"

	"github.com/dinhdanh/dinhdanh/station/audit"
)

// CardReader reads the citizen's chip card with the BAC key from the MRZ,
// reporting progress as bytes (or files) done of total. Implementations
// wrap their failures in ErrNoDevice, ErrAccessDenied, ErrCardRemoved,
// ErrTimeout or ErrDevice.
type CardReader interface {
	ReadCard(ctx context.Context, key MRZKey, progress func(done, total int)) (Card, error)
}

// Camera delivers live frames until ctx ends or the channel is closed.
type Camera interface {
	Frames(ctx context.Context) (<-chan image.Image, error)
}

// FrameQuality is the face quality of one frame.
type FrameQuality struct {
	// Found reports a face in the frame (drawn on the preview); Usable
	// that the frame passed every quality check and can become the
	// portrait.
	Found    bool
	Usable   bool
	Face     image.Rectangle // in frame coordinates, for the overlay
	Score    float64         // 0..1, higher is better
	Problems []string        // translation keys: "quality.too_dark", "quality.not_frontal"...
}

// FaceQuality assesses frames for the live portrait.
type FaceQuality interface {
	Assess(img image.Image) (FrameQuality, error)
}

// FingerScanner captures one finger image.
type FingerScanner interface {
	CaptureFinger(ctx context.Context, pos FingerPosition) (image.Image, error)
}

// FingerQuality rates a finger image 0..100.
type FingerQuality interface {
	FingerQuality(img image.Image) (int, error)
}

// Matcher runs the comparisons of the matching step. FaceCache and
// FingerCache return ErrNotInCache when the ID number has no cached
// templates; any method returns ErrUnavailable when its engine is not part
// of this station, and the decision then says so (review).
type Matcher interface {
	FaceChip(ctx context.Context, live, chip image.Image) (Score, error)
	FaceCache(ctx context.Context, idNumber string, live image.Image) (Score, error)
	FingerCache(ctx context.Context, idNumber string, fingers []FingerCapture) (Score, error)
	Search(ctx context.Context, live image.Image, fingers []FingerCapture, k int) ([]Candidate, error)
}

// Applications stores submitted registrations and counts those still
// waiting for a supervisor.
type Applications interface {
	Submit(ctx context.Context, r *Registration, officer, role string) (id string, err error)
	PendingCount(ctx context.Context) (int, error)
}

// Devices groups the session's devices and engines; nil members make the
// step that needs them fail with ErrNoDevice.
type Devices struct {
	Card          CardReader
	Camera        Camera
	FaceQuality   FaceQuality
	Scanner       FingerScanner
	FingerQuality FingerQuality
	Matcher       Matcher
}

// AutoCapture tunes the live portrait's best-frame capture.
type AutoCapture struct {
	// MaxFrames ends the capture with the best frame seen so far.
	MaxFrames int
	// GoodEnough ends it early once StableFrames frames in a row reach it.
	GoodEnough   float64
	StableFrames int
}

// DefaultAutoCapture is about four seconds at 15 frames per second.
func DefaultAutoCapture() AutoCapture {
	return AutoCapture{MaxFrames: 60, GoodEnough: 0.8, StableFrames: 3}
}

// Session drives one Registration with devices, engines, the application
// store and the audit log, on behalf of one logged-in officer.
type Session struct {
	Reg          *Registration
	Devices      Devices
	Apps         Applications
	Audit        audit.Recorder
	Officer      string
	Role         string
	PendingLimit int // 0: no limit
	Capture      AutoCapture
	SearchK      int // candidates asked of 1:N; 0 means 5

	mu      sync.Mutex
	fingers map[FingerPosition]FingerCapture
}

// Start begins a new registration, refused when the pending list is full.
func Start(ctx context.Context, s *Session, p Policy) error {
	if err := s.checkPending(ctx); err != nil {
		return err
	}
	s.Reg = New(p)
	s.fingers = map[FingerPosition]FingerCapture{}
	if s.Capture.MaxFrames == 0 {
		s.Capture = DefaultAutoCapture()
	}
	return s.audit(ctx, "registration.started", "", "ok", nil)
}

func (s *Session) checkPending(ctx context.Context) error {
	if s.PendingLimit <= 0 || s.Apps == nil {
		return nil
	}
	n, err := s.Apps.PendingCount(ctx)
	if err != nil {
		return fmt.Errorf("count pending applications: %w", err)
	}
	if n >= s.PendingLimit {
		return fmt.Errorf("%d waiting, limit %d: %w", n, s.PendingLimit, ErrPendingLimit)
	}
	return nil
}

func (s *Session) audit(ctx context.Context, action, object, outcome string, detail map[string]string) error {
	if s.Audit == nil {
		return nil
	}
	if object == "" && s.Reg != nil && s.Reg.Card != nil {
		object = idnum.Mask(s.Reg.Card.IDNumber)
	}
	if err := s.Audit.Record(ctx, audit.Entry{Actor: s.Officer, Role: s.Role, Action: action, Object: object, Outcome: outcome, Detail: detail}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// ReadCard reads the chip with the typed or scanned key. A wrong key is
// reported before the chip is touched when its shape is wrong, and as
// ErrAccessDenied when the chip refuses it.
func (s *Session) ReadCard(ctx context.Context, key MRZKey, progress func(done, total int)) error {
	if err := s.Reg.require("card read", StepCard); err != nil {
		return err
	}
	if err := key.Validate(); err != nil {
		return err
	}
	if s.Devices.Card == nil {
		return fmt.Errorf("card reader: %w", ErrNoDevice)
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	c, err := s.Devices.Card.ReadCard(ctx, key, progress)
	if err != nil {
		_ = s.audit(ctx, "card.read_failed", "", "failed", map[string]string{"error": errKind(err)})
		return fmt.Errorf("read card: %w", err)
	}
	if err := s.Reg.CardRead(c); err != nil {
		return err
	}
	return s.audit(ctx, "card.read", "", "ok", map[string]string{"passive_auth": fmt.Sprint(c.PassiveAuthOK)})
}

func errKind(err error) string {
	what, _ := Advice(err)
	return what
}

// ConfirmCard moves on from the card data.
func (s *Session) ConfirmCard() error { return s.Reg.ConfirmCard() }

// RecordConsent records and audits the citizen's answer.
func (s *Session) RecordConsent(ctx context.Context, c Consent) error {
	c.Officer = s.Officer
	err := s.Reg.RecordConsent(c)
	if err != nil && !errors.Is(err, ErrNoConsent) {
		return err
	}
	outcome := "ok"
	if !c.Given {
		outcome = "denied"
	}
	if aerr := s.audit(ctx, "consent.recorded", "", outcome, map[string]string{"text": c.TextVersion, "lang": c.Lang}); aerr != nil {
		return aerr
	}
	return err
}

// CapturePortrait reads frames from the camera, shows each with its
// quality through onFrame (may be nil), and records the best frame: as
// soon as StableFrames frames in a row reach GoodEnough, or after MaxFrames
// frames, or when ctx is cancelled after at least one usable frame.
func (s *Session) CapturePortrait(ctx context.Context, onFrame func(image.Image, FrameQuality)) (Portrait, error) {
	if err := s.Reg.require("portrait", StepPortrait); err != nil {
		return Portrait{}, err
	}
	if s.Devices.Camera == nil || s.Devices.FaceQuality == nil {
		return Portrait{}, fmt.Errorf("camera: %w", ErrNoDevice)
	}
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	frames, err := s.Devices.Camera.Frames(cctx)
	if err != nil {
		return Portrait{}, fmt.Errorf("open camera: %w", err)
	}
	ac := s.Capture
	var best Portrait
	n, stable := 0, 0
loop:
	for n < ac.MaxFrames {
		var img image.Image
		var ok bool
		select {
		case img, ok = <-frames:
			if !ok {
				break loop
			}
		case <-ctx.Done():
			break loop
		}
		n++
		q, err := s.Devices.FaceQuality.Assess(img)
		if err != nil {
			return Portrait{}, fmt.Errorf("assess frame: %w", err)
		}
		if onFrame != nil {
			onFrame(img, q)
		}
		if !q.Found || !q.Usable {
			stable = 0
			continue
		}
		if q.Score > best.Quality || best.Image == nil {
			best = Portrait{Image: img, Quality: q.Score}
		}
		if q.Score >= ac.GoodEnough {
			stable++
			if stable >= ac.StableFrames {
				break
			}
		} else {
			stable = 0
		}
	}
	best.Frames = n
	best.At = s.Reg.now()
	if best.Image == nil {
		if ctx.Err() != nil {
			return Portrait{}, fmt.Errorf("portrait: %w", ErrCancelled)
		}
		return Portrait{}, fmt.Errorf("no face found in %d frames: %w", n, ErrLowQuality)
	}
	if err := s.Reg.PortraitCaptured(best); err != nil {
		return best, err
	}
	return best, s.audit(ctx, "capture.face", "", "ok", map[string]string{"quality": fmt.Sprintf("%.2f", best.Quality), "frames": fmt.Sprint(n)})
}

// CaptureFinger scans one finger and keeps the best image over the
// attempts made so far. It returns the kept capture.
func (s *Session) CaptureFinger(ctx context.Context, pos FingerPosition) (FingerCapture, error) {
	if err := s.Reg.require("finger", StepFingers); err != nil {
		return FingerCapture{}, err
	}
	if s.Devices.Scanner == nil || s.Devices.FingerQuality == nil {
		return FingerCapture{}, fmt.Errorf("fingerprint scanner: %w", ErrNoDevice)
	}
	img, err := s.Devices.Scanner.CaptureFinger(ctx, pos)
	if err != nil {
		return s.Finger(pos), fmt.Errorf("scan %s: %w", pos, err)
	}
	q, err := s.Devices.FingerQuality.FingerQuality(img)
	if err != nil {
		return s.Finger(pos), fmt.Errorf("rate %s: %w", pos, err)
	}
	s.mu.Lock()
	prev := s.fingers[pos]
	cur := prev
	cur.Position, cur.Missing, cur.MissingReason, cur.ExceptionPhoto = pos, false, "", nil
	cur.Attempts = prev.Attempts + 1
	if prev.Image == nil || prev.Missing || q >= prev.Quality {
		cur.Image, cur.Quality = img, q
	}
	s.fingers[pos] = cur
	s.mu.Unlock()
	if cur.Quality < s.Reg.Policy.MinFingerQuality && cur.Attempts < s.Reg.Policy.MaxFingerAttempts {
		return cur, fmt.Errorf("%s quality %d, need %d (try %d of %d): %w", pos, cur.Quality, s.Reg.Policy.MinFingerQuality, cur.Attempts, s.Reg.Policy.MaxFingerAttempts, ErrLowQuality)
	}
	return cur, nil
}

// MarkFingerMissing records an exception for a finger that cannot be
// scanned, with the reason and a photo of the hand.
func (s *Session) MarkFingerMissing(ctx context.Context, pos FingerPosition, reason string, photo image.Image) error {
	if err := s.Reg.require("finger exception", StepFingers); err != nil {
		return err
	}
	if reason == "" || photo == nil {
		return fmt.Errorf("%w: a missing finger needs a reason and a photo", ErrFingers)
	}
	s.mu.Lock()
	f := s.fingers[pos]
	s.fingers[pos] = FingerCapture{Position: pos, Attempts: f.Attempts, Missing: true, MissingReason: reason, ExceptionPhoto: photo}
	s.mu.Unlock()
	return s.audit(ctx, "capture.finger_exception", "", "ok", map[string]string{"finger": pos.String(), "reason": reason})
}

// Finger returns what is held for one finger so far.
func (s *Session) Finger(pos FingerPosition) FingerCapture {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.fingers[pos]; ok {
		return f
	}
	for _, f := range s.Reg.Fingers {
		if f.Position == pos {
			return f
		}
	}
	return FingerCapture{Position: pos}
}

// FinishFingers records the requested fingers' captures in the
// registration, if the policy is satisfied.
func (s *Session) FinishFingers(ctx context.Context) error {
	var fs []FingerCapture
	missing := 0
	for _, p := range s.Reg.Policy.Fingers {
		f := s.Finger(p)
		if f.Position == 0 {
			continue
		}
		if f.Missing {
			missing++
		}
		if f.Missing || f.Image != nil {
			fs = append(fs, f)
		}
	}
	if err := s.Reg.FingersCaptured(fs); err != nil {
		return err
	}
	return s.audit(ctx, "capture.finger", "", "ok", map[string]string{"fingers": fmt.Sprint(len(fs) - missing), "missing": fmt.Sprint(missing)})
}

// Match runs the three checks and records the one decision. Errors of a
// single check (other than "not in cache") fail the step so the officer
// can retry it; nothing captured is lost.
func (s *Session) Match(ctx context.Context) (Decision, error) {
	if err := s.Reg.require("match", StepMatch); err != nil {
		return Decision{}, err
	}
	m := s.Devices.Matcher
	if m == nil {
		return Decision{}, fmt.Errorf("matcher: %w", ErrNoDevice)
	}
	r := s.Reg
	ev := Evidence{ClaimedID: r.Card.IDNumber}
	var live []FingerCapture
	for _, f := range r.Fingers {
		if f.Captured() {
			live = append(live, f)
			ev.FingersCaptured++
		} else if f.Missing {
			ev.FingersMissing++
		}
	}
	if r.Card.Photo != nil {
		sc, err := m.FaceChip(ctx, r.Portrait.Image, r.Card.Photo)
		switch {
		case errors.Is(err, ErrUnavailable):
		case err != nil:
			return Decision{}, fmt.Errorf("compare with chip photo: %w", err)
		default:
			ev.FaceChip = &sc
		}
	}
	ev.InCache = true
	sc, err := m.FaceCache(ctx, r.Card.IDNumber, r.Portrait.Image)
	switch {
	case errors.Is(err, ErrNotInCache):
		ev.InCache = false
	case errors.Is(err, ErrUnavailable):
	case err != nil:
		return Decision{}, fmt.Errorf("compare face with cache: %w", err)
	default:
		ev.FaceCache = &sc
	}
	if ev.InCache && len(live) > 0 {
		sc, err := m.FingerCache(ctx, r.Card.IDNumber, live)
		switch {
		case errors.Is(err, ErrNotInCache), errors.Is(err, ErrUnavailable):
		case err != nil:
			return Decision{}, fmt.Errorf("compare fingers with cache: %w", err)
		default:
			ev.FingerCache = &sc
		}
	}
	k := s.SearchK
	if k == 0 {
		k = 5
	}
	cands, err := m.Search(ctx, r.Portrait.Image, live, k)
	if err != nil && !errors.Is(err, ErrUnavailable) {
		return Decision{}, fmt.Errorf("duplicate search: %w", err)
	}
	ev.Candidates = cands
	d := Decide(ev)
	if err := r.Decided(d); err != nil {
		return d, err
	}
	for _, c := range []struct {
		action string
		s      *Score
	}{{"match.face_chip", ev.FaceChip}, {"match.face_cache", ev.FaceCache}, {"match.finger_cache", ev.FingerCache}} {
		if c.s == nil {
			continue
		}
		if err := s.audit(ctx, c.action, "", "ok", map[string]string{"score": fmt.Sprintf("%.3f", c.s.Value), "threshold": fmt.Sprintf("%.3f", c.s.Threshold), "match": fmt.Sprint(c.s.Match)}); err != nil {
			return d, err
		}
	}
	return d, s.audit(ctx, "match.search", "", "ok", map[string]string{"candidates": fmt.Sprint(len(ev.Candidates)), "outcome": string(d.Outcome)})
}

// EnterContact validates and records contact details and documents.
func (s *Session) EnterContact(c Contact) error { return s.Reg.ContactEntered(c) }

// Submit stores the application and moves to the receipt, refused above
// the pending limit.
func (s *Session) Submit(ctx context.Context) (string, error) {
	if err := s.Reg.require("submit", StepReview); err != nil {
		return "", err
	}
	if err := s.Reg.Ready(); err != nil {
		return "", err
	}
	if err := s.checkPending(ctx); err != nil {
		return "", err
	}
	if s.Apps == nil {
		return "", fmt.Errorf("application store: %w", ErrNoDevice)
	}
	id, err := s.Apps.Submit(ctx, s.Reg, s.Officer, s.Role)
	if err != nil {
		return "", fmt.Errorf("store application: %w", err)
	}
	if err := s.Reg.Submitted(id); err != nil {
		return id, err
	}
	return id, s.audit(ctx, "application.submitted", id, "ok", map[string]string{"outcome": string(s.Reg.Decision.Outcome)})
}

// Retry goes back to a step, keeping the captures.
func (s *Session) Retry(step Step) error { return s.Reg.Retry(step) }

// Cancel ends the registration with a reason.
func (s *Session) Cancel(ctx context.Context, reason string) error {
	if err := s.Reg.Cancel(reason); err != nil {
		return err
	}
	return s.audit(ctx, "application.cancelled", "", "ok", map[string]string{"at": s.Reg.History[len(s.Reg.History)-1].From.String()})
}
