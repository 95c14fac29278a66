package ui

import (
	"context"
	"image"
	"time"

	"fyne.io/fyne/v2"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// Row is one application in the queue and the supervisor's list.
type Row struct {
	ID        string
	State     string // application state: draft, verified, approved, rejected, queued, uploaded, accepted, upstream_rejected
	IDMasked  string
	Officer   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Minutia is one fingerprint minutia in image pixels, for drawing.
type Minutia struct {
	X, Y  int
	Angle float64 // radians
}

// FingerEvidence is one finger as the supervisor sees it.
type FingerEvidence struct {
	Position string
	Image    image.Image
	Quality  float64
	Minutiae []Minutia
	Missing  bool
	Reason   string
	Photo    image.Image // exception photo
}

// Check is one stored comparison.
type Check struct {
	Name             string
	Score, Threshold float64
	Passed           bool
	Detail           string
}

// Detail is the evidence view of one application.
type Detail struct {
	Row
	FullName       string
	ChipPhoto      image.Image
	Portrait       image.Image
	Fingers        []FingerEvidence
	Checks         []Check
	Outcome        string // the station's fused decision: verified, review
	Reasons        []workflow.Reason
	DecisionReason string
	UpstreamReason string
}

// Applications is what the screens need of the application store: the
// workflow's submission and pending count, lists, the evidence view and
// the supervisor's decisions.
type Applications interface {
	workflow.Applications
	List(ctx context.Context, state string, limit int) ([]Row, error)
	Counts(ctx context.Context) (map[string]int, error)
	Detail(ctx context.Context, viewer auth.User, id string) (*Detail, error)
	Approve(ctx context.Context, supervisor auth.User, id, reason string) error
	Reject(ctx context.Context, supervisor auth.User, id, reason string) error
}

// ConsentText gives the consent text shown to the citizen and its version,
// in a language ("vi" or "en").
type ConsentText interface {
	ConsentText(lang string) (text, version string)
}

// AuditGate is the audit log's integrity gate: new applications are
// refused while the log has an unacknowledged break, until a supervisor
// acknowledges it. *audit.Log implements it.
type AuditGate interface {
	RequireIntact() error
	Acknowledge(ctx context.Context, supervisor, note string) (audit.Integrity, error)
}

// Deps is everything the screens use. Nil members disable what needs them
// and say so on screen.
type Deps struct {
	DB      *store.DB
	Users   *auth.Users
	Apps    Applications
	Devices workflow.Devices
	Audit   audit.Recorder
	Gate    AuditGate
	Consent ConsentText
	// KeyMaker creates the station keys at first run.
	KeyMaker auth.KeyMaker
	// Diagnostics builds the technician's device diagnostics view.
	Diagnostics func(w fyne.Window) fyne.CanvasObject
	// LastSync reports when the last sync finished (zero: never).
	LastSync func(ctx context.Context) time.Time

	StationID, Office string
	PendingLimit      int
	IdleLogout        time.Duration
	// IdleCheck is how often the idle logout is checked; zero means every
	// second, negative never (tests call UI.CheckIdle themselves: fyne's
	// test driver runs fyne.Do on the calling goroutine).
	IdleCheck time.Duration
	// Inline runs background work on the calling goroutine. For tests:
	// fyne's test driver runs fyne.Do on the calling goroutine instead of
	// the UI thread, so real background work would race with the test.
	Inline bool
	Policy workflow.Policy
	// ReceiptDir is where receipts and consent forms are written as PDF.
	ReceiptDir string
	Demo       bool
	// DemoLogins are shown on the log-in screen in demo mode, and
	// DemoCard (what to type for the simulated card) on the card step.
	DemoLogins []string
	DemoCard   string
	Now        func() time.Time
}
