// Package workflow is the officer's level-2 registration as an explicit
// state machine, with no UI: read card → card data → consent → live portrait
// → fingerprints → matching (one decision) → contact and documents →
// review → submitted.
//
// A Registration holds every capture made so far. Each event method checks
// that it is allowed in the current step (guards) and either moves on or
// returns an error leaving everything as it was. Retry goes back to any step
// already reached without discarding what was captured; a new capture only
// invalidates what depends on it (a new portrait or new fingerprints need a
// new matching decision, a different card starts over). Cancel ends the
// registration but keeps its captures readable until it is dropped.
//
// Session (session.go) drives a Registration with the devices and engines,
// behind small interfaces defined here.
package workflow

import (
	"errors"
	"fmt"
	"time"
)

// Step is a state of the registration.
type Step int

// The steps in order. Done and Cancelled are final.
const (
	StepCard Step = iota
	StepCardData
	StepConsent
	StepPortrait
	StepFingers
	StepMatch
	StepContact
	StepReview
	StepDone
	StepCancelled
)

var stepNames = [...]string{"card", "card_data", "consent", "portrait", "fingers", "match", "contact", "review", "done", "cancelled"}

// String returns a stable key ("card", "portrait"...), also used as the
// translation key suffix of the step's title.
func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return fmt.Sprintf("step(%d)", int(s))
	}
	return stepNames[s]
}

// Steps lists the steps an officer goes through, for progress displays.
var Steps = []Step{StepCard, StepCardData, StepConsent, StepPortrait, StepFingers, StepMatch, StepContact, StepReview, StepDone}

// Policy holds the thresholds of the workflow.
type Policy struct {
	// MinPortraitQuality is the lowest acceptable face quality, 0..1.
	MinPortraitQuality float64
	// Fingers are the fingers asked for, in order.
	Fingers []FingerPosition
	// MinFingerQuality is the quality (0..100) a finger image must reach;
	// below it after MaxFingerAttempts tries the best image is accepted
	// anyway and the decision notes it.
	MinFingerQuality  int
	MaxFingerAttempts int
}

// DefaultPolicy is what a verification desk with a single-finger scanner
// uses: both index fingers, three tries each.
func DefaultPolicy() Policy {
	return Policy{MinPortraitQuality: 0.5, Fingers: []FingerPosition{RightIndex, LeftIndex}, MinFingerQuality: 40, MaxFingerAttempts: 3}
}

// Transition records one change of step, for the audit trail and tests.
type Transition struct {
	From, To Step
	Event    string
	At       time.Time
}

// Registration is one citizen's application in progress.
type Registration struct {
	Policy Policy

	step     Step
	furthest Step

	Card          *Card
	CardConfirmed bool
	Consent       *Consent
	Portrait      *Portrait
	Fingers       []FingerCapture
	Decision      *Decision
	Contact       *Contact
	ApplicationID string
	CancelReason  string

	History []Transition
	now     func() time.Time
}

// New starts a registration at the card step.
func New(p Policy) *Registration {
	return &Registration{Policy: p, now: time.Now}
}

// Step returns the current step.
func (r *Registration) Step() Step { return r.step }

// Furthest returns the furthest step reached so far.
func (r *Registration) Furthest() Step { return r.furthest }

// Final reports whether the registration is submitted or cancelled.
func (r *Registration) Final() bool { return r.step == StepDone || r.step == StepCancelled }

func (r *Registration) move(to Step, event string) {
	r.History = append(r.History, Transition{From: r.step, To: to, Event: event, At: r.now()})
	r.step = to
	if to > r.furthest && to != StepCancelled {
		r.furthest = to
	}
}

func (r *Registration) require(event string, s Step) error {
	if r.step != s {
		return fmt.Errorf("%s at step %s: %w", event, r.step, ErrWrongStep)
	}
	return nil
}

// next is the first step after from whose capture is still missing, so a
// retried step resumes where the work still has to be done.
func (r *Registration) next(from Step) Step {
	for s := from + 1; s < StepDone; s++ {
		if !r.complete(s) {
			return s
		}
	}
	return StepReview
}

func (r *Registration) complete(s Step) bool {
	switch s {
	case StepCard:
		return r.Card != nil
	case StepCardData:
		return r.CardConfirmed
	case StepConsent:
		return r.Consent != nil && r.Consent.Given
	case StepPortrait:
		return r.Portrait != nil
	case StepFingers:
		return r.Fingers != nil
	case StepMatch:
		return r.Decision != nil && r.Decision.Outcome != Rejected
	case StepContact:
		return r.Contact != nil
	case StepReview:
		return false
	}
	return false
}

// CardRead records the data read from the chip. A card of another citizen
// than the one already read starts the registration over.
func (r *Registration) CardRead(c Card) error {
	if err := r.require("card read", StepCard); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	if r.Card != nil && r.Card.IDNumber != c.IDNumber {
		p := r.Policy
		*r = Registration{Policy: p, History: r.History, now: r.now}
	}
	r.Card = &c
	r.CardConfirmed = false
	r.move(StepCardData, "card_read")
	return nil
}

// ConfirmCard is the officer confirming the card data shown is the
// person at the desk.
func (r *Registration) ConfirmCard() error {
	if err := r.require("confirm card", StepCardData); err != nil {
		return err
	}
	r.CardConfirmed = true
	r.move(r.next(StepCardData), "card_confirmed")
	return nil
}

// RecordConsent records the citizen's answer. A refusal is kept (and
// returned as ErrNoConsent): the registration cannot go on, only be
// cancelled, or consent asked again.
func (r *Registration) RecordConsent(c Consent) error {
	if err := r.require("consent", StepConsent); err != nil {
		return err
	}
	if c.At.IsZero() {
		c.At = r.now()
	}
	r.Consent = &c
	if !c.Given {
		return ErrNoConsent
	}
	r.move(r.next(StepConsent), "consent_given")
	return nil
}

// PortraitCaptured records the live portrait. It replaces an earlier one
// and voids the matching decision.
func (r *Registration) PortraitCaptured(p Portrait) error {
	if err := r.require("portrait", StepPortrait); err != nil {
		return err
	}
	if p.Image == nil {
		return fmt.Errorf("portrait: no image: %w", ErrLowQuality)
	}
	if p.Quality < r.Policy.MinPortraitQuality {
		return fmt.Errorf("portrait quality %.2f below %.2f: %w", p.Quality, r.Policy.MinPortraitQuality, ErrLowQuality)
	}
	r.Portrait = &p
	r.Decision = nil
	r.move(r.next(StepPortrait), "portrait_captured")
	return nil
}

// CheckFingers tells whether a set of finger captures satisfies the
// policy: every requested finger captured (at quality, or after the last
// allowed attempt) or an exception with a reason and a photo.
func (p Policy) CheckFingers(fs []FingerCapture) error {
	got := map[FingerPosition]FingerCapture{}
	for _, f := range fs {
		if !f.Position.Valid() {
			return fmt.Errorf("%w: unknown finger %d", ErrFingers, f.Position)
		}
		got[f.Position] = f
	}
	var errs []error
	for _, want := range p.Fingers {
		f, ok := got[want]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s not captured", want))
		case f.Missing:
			if f.MissingReason == "" {
				errs = append(errs, fmt.Errorf("%s marked missing without a reason", want))
			}
			if f.ExceptionPhoto == nil {
				errs = append(errs, fmt.Errorf("%s marked missing without a photo", want))
			}
		case f.Image == nil:
			errs = append(errs, fmt.Errorf("%s has no image", want))
		case f.Quality < p.MinFingerQuality && f.Attempts < p.MaxFingerAttempts:
			errs = append(errs, fmt.Errorf("%s quality %d below %d: try again (%d of %d)", want, f.Quality, p.MinFingerQuality, f.Attempts, p.MaxFingerAttempts))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrFingers, errors.Join(errs...))
	}
	return nil
}

// FingersCaptured records the fingerprints. It replaces earlier ones and
// voids the matching decision.
func (r *Registration) FingersCaptured(fs []FingerCapture) error {
	if err := r.require("fingers", StepFingers); err != nil {
		return err
	}
	if err := r.Policy.CheckFingers(fs); err != nil {
		return err
	}
	r.Fingers = append([]FingerCapture(nil), fs...)
	r.Decision = nil
	r.move(r.next(StepFingers), "fingers_captured")
	return nil
}

// Decided records the matching decision. A rejected decision stays on the
// matching step: the officer can retake the portrait or fingerprints
// (Retry) or cancel.
func (r *Registration) Decided(d Decision) error {
	if err := r.require("decision", StepMatch); err != nil {
		return err
	}
	r.Decision = &d
	if d.Outcome == Rejected {
		r.History = append(r.History, Transition{From: r.step, To: r.step, Event: "decision_rejected", At: r.now()})
		return nil
	}
	r.move(r.next(StepMatch), "decision_"+string(d.Outcome))
	return nil
}

// ContactEntered records the validated contact details and documents.
func (r *Registration) ContactEntered(c Contact) error {
	if err := r.require("contact", StepContact); err != nil {
		return err
	}
	v, err := c.Validate()
	if err != nil {
		return err
	}
	r.Contact = &v
	r.move(r.next(StepContact), "contact_entered")
	return nil
}

// Ready reports whether everything needed for submission is there.
func (r *Registration) Ready() error {
	for s := StepCard; s < StepReview; s++ {
		if !r.complete(s) {
			if s == StepMatch && r.Decision != nil {
				return fmt.Errorf("decision is %s: %w", r.Decision.Outcome, ErrNotVerifiable)
			}
			return fmt.Errorf("%s not done: %w", s, ErrWrongStep)
		}
	}
	return nil
}

// Submitted records the ID under which the application was stored.
func (r *Registration) Submitted(applicationID string) error {
	if err := r.require("submit", StepReview); err != nil {
		return err
	}
	if err := r.Ready(); err != nil {
		return err
	}
	if applicationID == "" {
		return errors.New("submit: empty application ID")
	}
	r.ApplicationID = applicationID
	r.move(StepDone, "submitted")
	return nil
}

// Retry goes back to a step already reached, keeping every capture. The
// step's capture is replaced only when a new one is recorded.
func (r *Registration) Retry(s Step) error {
	if r.Final() {
		return fmt.Errorf("retry %s after %s: %w", s, r.step, ErrWrongStep)
	}
	if s > r.furthest || s >= StepDone || s < StepCard {
		return fmt.Errorf("retry %s: not reached yet: %w", s, ErrWrongStep)
	}
	r.move(s, "retry")
	return nil
}

// Cancel ends the registration. What was captured stays readable in r (it
// is not submitted and is dropped with r).
func (r *Registration) Cancel(reason string) error {
	if r.Final() {
		return fmt.Errorf("cancel after %s: %w", r.step, ErrWrongStep)
	}
	r.CancelReason = reason
	r.move(StepCancelled, "cancelled")
	return nil
}
