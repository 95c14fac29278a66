package application

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"time"
)

// Card is the citizen's data as read from the chip card (DG1/DG13) or typed
// by the officer. It is sealed at rest.
type Card struct {
	IDNumber      string `json:"id_number"`
	FullName      string `json:"full_name"`
	DateOfBirth   string `json:"date_of_birth"` // YYYY-MM-DD
	Sex           string `json:"sex"`           // "M" or "F"
	PlaceOfOrigin string `json:"place_of_origin,omitempty"`
	Residence     string `json:"residence,omitempty"`
	DateOfExpiry  string `json:"date_of_expiry,omitempty"`
	Phone         string `json:"phone,omitempty"`
	Email         string `json:"email,omitempty"`
	// Documents names the documents to integrate into the account
	// (driver's licence, health insurance card, ...).
	Documents []string `json:"documents,omitempty"`
}

// Actor is who performs an action on an application.
type Actor struct {
	Name string
	Role string // officer, supervisor, technician, system
}

// System is the actor for the station's own jobs.
var System = Actor{Name: "sync", Role: "system"}

// Check is one match decision: a comparison, its score and the threshold it
// was judged against.
type Check struct {
	// Name says what was compared: "chip_face" (live portrait vs chip
	// photo), "cache_face", "cache_finger_R1", "one_to_n" ...
	Name      string  `json:"name"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	Passed    bool    `json:"passed"`
	// Detail holds non-sensitive facts, e.g. the rank of the claimed
	// identity in a 1:N search.
	Detail string    `json:"detail,omitempty"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// EvidenceInfo describes one stored piece of evidence, without its bytes.
type EvidenceInfo struct {
	Kind    string
	Quality float64
	Size    int
	At      time.Time
}

// Event is one recorded transition.
type Event struct {
	From, To State
	Actor    string
	Role     string
	Reason   string
	At       time.Time
}

// Application is one level-2 account application.
type Application struct {
	UUID  string
	State State
	// IDMasked is the ID number with all but the first 3 and last 2 digits
	// hidden, safe to show in lists and logs.
	IDMasked       string
	Card           Card
	ConsentID      string
	Officer        string
	Supervisor     string
	DecisionReason string
	UpstreamReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// EvidencePurged is when the retention job deleted the evidence, zero
	// if it has not.
	EvidencePurged time.Time
	Checks         []Check
	Evidence       []EvidenceInfo
	Events         []Event
}

// Summary is the row of a list: no card data beyond the masked ID.
type Summary struct {
	UUID      string
	State     State
	IDMasked  string
	Officer   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

var kindRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidUUID reports whether s is a lower-case canonical UUID.
func ValidUUID(s string) bool { return uuidRe.MatchString(s) }
