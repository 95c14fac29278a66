// Package appstore connects the registration workflow and the station's
// screens to station/application: a finished registration becomes a
// verified application with its sealed evidence and checks, and the
// queue, evidence view and supervisor decisions read and change it there.
package appstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"sync"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/consent"
	"github.com/dinhdanh/dinhdanh/station/ui"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// ConsentKind is the evidence kind under which the consent is sealed with
// the application, and ConsentRef the consent reference used when no
// consent register (Store.Consents) is configured.
const (
	ConsentKind = "consent"
	ConsentRef  = "application-evidence:consent"
)

// Store is the adapter. Minutiae, when set, finds the minutiae drawn on
// fingerprints in the evidence view (the fingerprint engine's extractor).
type Store struct {
	Repo     *application.Repo
	Minutiae func(img image.Image) []ui.Minutia
	// Consents, when set, is the privacy area's consent register: each
	// submission records the citizen's consent there (keyed by the
	// application) and the application refers to it.
	Consents *consent.Store
	// RetentionDays is the evidence retention stated to the citizen.
	RetentionDays int

	mu sync.Mutex
	// drafts remembers the draft made for a registration whose submission
	// failed part-way (a full disk, a lost lock), so that the retry
	// completes the same draft instead of leaving an orphan behind.
	drafts map[*workflow.Registration]draft
}

type draft struct{ uuid, card string }

// cardKey identifies the sealed card data of a draft: a retry with other
// data makes a new draft.
func cardKey(c application.Card) string {
	b, _ := json.Marshal(c)
	return string(b)
}

var _ ui.Applications = (*Store)(nil)

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func check(name string, s *workflow.Score, detail string) application.Check {
	if detail == "" && s.FMR > 0 {
		detail = fmt.Sprintf("FMR %g", s.FMR) // what the threshold stands for
	}
	return application.Check{Name: name, Score: s.Value, Threshold: s.Threshold, Passed: s.Match, Detail: detail}
}

// decisionRecord is the fused decision as sealed with the application.
type decisionRecord struct {
	Outcome string            `json:"outcome"`
	Reasons []workflow.Reason `json:"reasons"`
}

type fingerException struct {
	Reason string `json:"reason"`
}

// Submit stores the registration: a draft with the card and contact data,
// then the evidence (chip photo, live portrait, fingers or exceptions, the
// consent and the decision), the checks, and marks it verified for the
// supervisor.
func (s *Store) Submit(ctx context.Context, r *workflow.Registration, officer, role string) (string, error) {
	if err := r.Ready(); err != nil {
		return "", err
	}
	if r.Decision.Outcome == workflow.Rejected {
		return "", workflow.ErrNotVerifiable
	}
	a := application.Actor{Name: officer, Role: role}
	c := r.Card
	card := application.Card{
		IDNumber: c.IDNumber, FullName: c.FullName, Sex: c.Sex,
		PlaceOfOrigin: c.Extra["place_of_origin"], Residence: c.Extra["residence"],
		Phone: r.Contact.Phone, Email: r.Contact.Email, Documents: r.Contact.Documents,
	}
	if !c.BirthDate.IsZero() {
		card.DateOfBirth = c.BirthDate.Format("2006-01-02")
	}
	if !c.Expiry.IsZero() {
		card.DateOfExpiry = c.Expiry.Format("2006-01-02")
	}
	s.mu.Lock()
	dr, ok := s.drafts[r]
	s.mu.Unlock()
	id := dr.uuid
	if !ok || dr.card != cardKey(card) {
		var err error
		if id, err = s.Repo.Create(ctx, a, card); err != nil {
			return "", err
		}
		s.mu.Lock()
		if s.drafts == nil {
			s.drafts = map[*workflow.Registration]draft{}
		}
		s.drafts[r] = draft{uuid: id, card: cardKey(card)}
		s.mu.Unlock()
	}
	attachImg := func(kind string, q float64, img image.Image) error {
		if img == nil {
			return nil
		}
		b, err := encodePNG(img)
		if err != nil {
			return fmt.Errorf("encode %s: %w", kind, err)
		}
		return s.Repo.AttachEvidence(ctx, a, id, kind, q, b)
	}
	attachJSON := func(kind string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return s.Repo.AttachEvidence(ctx, a, id, kind, 0, b)
	}
	steps := []func() error{
		func() error { return attachImg("chip_portrait", 0, c.Photo) },
		func() error { return attachImg("portrait", r.Portrait.Quality, r.Portrait.Image) },
		func() error { return attachJSON(ConsentKind, r.Consent) },
		func() error { return s.recordConsent(ctx, a, id, r) },
		func() error {
			return attachJSON("decision", decisionRecord{Outcome: string(r.Decision.Outcome), Reasons: r.Decision.Reasons})
		},
	}
	for _, f := range r.Fingers {
		f := f
		kind := "finger_" + f.Position.String()
		if f.Missing {
			steps = append(steps,
				func() error { return attachJSON(kind+"_exc", fingerException{Reason: f.MissingReason}) },
				func() error { return attachImg(kind+"_photo", 0, f.ExceptionPhoto) })
			continue
		}
		steps = append(steps, func() error { return attachImg(kind, float64(f.Quality), f.Image) })
	}
	ev := r.Decision.Evidence
	var checks []application.Check
	if ev.FaceChip != nil {
		checks = append(checks, check("chip_face", ev.FaceChip, ""))
	}
	if ev.FaceCache != nil {
		checks = append(checks, check("cache_face", ev.FaceCache, ""))
	}
	if ev.FingerCache != nil {
		checks = append(checks, check("cache_finger", ev.FingerCache, ""))
	}
	if len(ev.Candidates) > 0 {
		dup := false
		for _, rs := range r.Decision.Reasons {
			dup = dup || rs.Code == "reason.duplicate" || rs.Code == "reason.claimed_not_top"
		}
		best := ev.Candidates[0]
		for _, cd := range ev.Candidates {
			if cd.IDNumber != ev.ClaimedID && cd.Score.Value > best.Score.Value || best.IDNumber == ev.ClaimedID {
				best = cd
			}
		}
		checks = append(checks, application.Check{Name: "one_to_n", Score: best.Score.Value, Threshold: best.Score.Threshold, Passed: !dup,
			Detail: fmt.Sprintf("%d candidates", len(ev.Candidates))})
	}
	checks = append(checks, application.Check{Name: "decision", Passed: r.Decision.Outcome != workflow.Rejected, Detail: string(r.Decision.Outcome)})
	for _, ch := range checks {
		ch := ch
		steps = append(steps, func() error { return s.Repo.RecordCheck(ctx, a, id, ch) })
	}
	steps = append(steps, func() error { return s.Repo.MarkVerified(ctx, a, id) })
	for _, st := range steps {
		if err := st(); err != nil {
			return "", fmt.Errorf("store application %s: %w", id, err)
		}
	}
	s.mu.Lock()
	delete(s.drafts, r)
	s.mu.Unlock()
	return id, nil
}

// PendingCount is the number of applications waiting for a supervisor.
func (s *Store) PendingCount(ctx context.Context) (int, error) {
	c, err := s.Repo.Counts(ctx)
	if err != nil {
		return 0, err
	}
	return c[application.Verified], nil
}

// List returns the applications in state (all if empty), newest first.
func (s *Store) List(ctx context.Context, state string, limit int) ([]ui.Row, error) {
	sums, err := s.Repo.List(ctx, application.State(state), limit)
	if err != nil {
		return nil, err
	}
	out := make([]ui.Row, len(sums))
	for i, x := range sums {
		out[i] = ui.Row{ID: x.UUID, State: string(x.State), IDMasked: x.IDMasked, Officer: x.Officer, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
	}
	return out, nil
}

// Counts returns how many applications are in each state.
func (s *Store) Counts(ctx context.Context) (map[string]int, error) {
	c, err := s.Repo.Counts(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for k, v := range c {
		out[string(k)] = v
	}
	return out, nil
}

func actor(u auth.User) application.Actor {
	return application.Actor{Name: u.Name, Role: string(u.Role)}
}

// Detail opens an application's evidence for the viewer (each view is
// audited by the repository).
func (s *Store) Detail(ctx context.Context, viewer auth.User, id string) (*ui.Detail, error) {
	a := actor(viewer)
	app, err := s.Repo.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d := &ui.Detail{
		Row:      ui.Row{ID: app.UUID, State: string(app.State), IDMasked: app.IDMasked, Officer: app.Officer, CreatedAt: app.CreatedAt, UpdatedAt: app.UpdatedAt},
		FullName: app.Card.FullName, DecisionReason: app.DecisionReason, UpstreamReason: app.UpstreamReason,
	}
	for _, c := range app.Checks {
		d.Checks = append(d.Checks, ui.Check{Name: c.Name, Score: c.Score, Threshold: c.Threshold, Passed: c.Passed, Detail: c.Detail})
	}
	img := func(kind string) (image.Image, error) {
		b, err := s.Repo.Evidence(ctx, a, id, kind)
		if errors.Is(err, application.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		m, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", kind, err)
		}
		return m, nil
	}
	if d.ChipPhoto, err = img("chip_portrait"); err != nil {
		return nil, err
	}
	if d.Portrait, err = img("portrait"); err != nil {
		return nil, err
	}
	have := map[string]float64{}
	for _, e := range app.Evidence {
		have[e.Kind] = e.Quality
	}
	if _, ok := have["decision"]; ok {
		b, err := s.Repo.Evidence(ctx, a, id, "decision")
		if err != nil {
			return nil, err
		}
		var dr decisionRecord
		if err := json.Unmarshal(b, &dr); err != nil {
			return nil, fmt.Errorf("decode decision: %w", err)
		}
		d.Outcome, d.Reasons = dr.Outcome, dr.Reasons
	}
	for p := workflow.RightThumb; p <= workflow.LeftLittle; p++ {
		kind := "finger_" + p.String()
		if q, ok := have[kind]; ok {
			m, err := img(kind)
			if err != nil {
				return nil, err
			}
			fe := ui.FingerEvidence{Position: p.String(), Image: m, Quality: q}
			if s.Minutiae != nil && m != nil {
				fe.Minutiae = s.Minutiae(m)
			}
			d.Fingers = append(d.Fingers, fe)
		}
		if _, ok := have[kind+"_exc"]; ok {
			b, err := s.Repo.Evidence(ctx, a, id, kind+"_exc")
			if err != nil {
				return nil, err
			}
			var fx fingerException
			_ = json.Unmarshal(b, &fx)
			photo, err := img(kind + "_photo")
			if err != nil {
				return nil, err
			}
			d.Fingers = append(d.Fingers, ui.FingerEvidence{Position: p.String(), Missing: true, Reason: fx.Reason, Photo: photo})
		}
	}
	return d, nil
}

// Approve records a supervisor's approval.
func (s *Store) Approve(ctx context.Context, sup auth.User, id, reason string) error {
	return s.Repo.Approve(ctx, actor(sup), id, reason)
}

// Reject records a supervisor's rejection with its reason.
func (s *Store) Reject(ctx context.Context, sup auth.User, id, reason string) error {
	return s.Repo.Reject(ctx, actor(sup), id, reason)
}

// recordConsent stores the consent in the consent register when there is
// one (else the sealed evidence copy is the record) and links it.
func (s *Store) recordConsent(ctx context.Context, a application.Actor, id string, r *workflow.Registration) error {
	if s.Consents == nil {
		return s.Repo.SetConsent(ctx, a, id, ConsentRef)
	}
	if _, err := s.Consents.Get(ctx, id); err != nil {
		purposes := []consent.Purpose{consent.IdentityVerification, consent.Level2Account}
		if len(r.Contact.Documents) > 0 {
			purposes = append(purposes, consent.DocumentIntegration)
		}
		days := s.RetentionDays
		if days == 0 {
			days = 30
		}
		_, err := s.Consents.Record(ctx, access.Actor{Name: a.Name, Role: access.Role(a.Role)}, consent.Record{
			AppUUID: id, Purposes: purposes,
			DataTypes:     []consent.DataType{consent.CardData, consent.ChipPortrait, consent.LivePortrait, consent.Fingerprints, consent.ContactData},
			RetentionDays: days, TextVersion: r.Consent.TextVersion, Language: r.Consent.Lang, Ack: consent.ConfirmedOnScreen,
		})
		if err != nil {
			return err
		}
	}
	return s.Repo.SetConsent(ctx, a, id, "consent:"+id)
}
