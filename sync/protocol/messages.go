package protocol

import (
	"fmt"
	"time"
)

// Batch is a signed upload of applications from one station.
type Batch struct {
	StationID    string        `json:"station_id"`
	BatchID      string        `json:"batch_id"`
	CreatedAt    time.Time     `json:"created_at"`
	Applications []Application `json:"applications"`
}

// Application is one level-2 application as uploaded.
type Application struct {
	UUID       string     `json:"uuid"`
	CreatedAt  time.Time  `json:"created_at"`
	Officer    string     `json:"officer"`
	Supervisor string     `json:"supervisor"`
	ApprovedAt time.Time  `json:"approved_at"`
	Card       Card       `json:"card"`
	ConsentID  string     `json:"consent_id"`
	Checks     []Check    `json:"checks"`
	Evidence   []Evidence `json:"evidence"`
}

// Card is the citizen's declared and chip data.
type Card struct {
	IDNumber      string   `json:"id_number"`
	FullName      string   `json:"full_name"`
	DateOfBirth   string   `json:"date_of_birth"`
	Sex           string   `json:"sex"`
	PlaceOfOrigin string   `json:"place_of_origin,omitempty"`
	Residence     string   `json:"residence,omitempty"`
	DateOfExpiry  string   `json:"date_of_expiry,omitempty"`
	Phone         string   `json:"phone,omitempty"`
	Email         string   `json:"email,omitempty"`
	Documents     []string `json:"documents,omitempty"`
}

// Check is one match decision made on the station.
type Check struct {
	Name      string  `json:"name"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	Passed    bool    `json:"passed"`
	Detail    string  `json:"detail,omitempty"`
}

// Evidence is one captured item (portrait, fingerprint image, descriptor).
type Evidence struct {
	Kind    string  `json:"kind"`
	Quality float64 `json:"quality"`
	Data    []byte  `json:"data"`
}

// Upload statuses in a BatchResult.
const (
	// StatusStored: upstream has durably stored the application.
	StatusStored = "stored"
	// StatusDuplicate: upstream already held this UUID with the same
	// content (a retried upload); treat as stored.
	StatusDuplicate = "duplicate"
	// StatusConflict: upstream holds this UUID with different content.
	// Nothing was changed; the station must not mark it uploaded.
	StatusConflict = "conflict"
)

// BatchResult is upstream's answer to a batch.
type BatchResult struct {
	BatchID    string         `json:"batch_id"`
	ServerTime time.Time      `json:"server_time"`
	Results    []UploadResult `json:"results"`
}

// UploadResult is the fate of one application of a batch.
type UploadResult struct {
	UUID   string `json:"uuid"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// StatusRequest asks for the outcome of uploaded applications.
type StatusRequest struct {
	UUIDs []string `json:"uuids"`
}

// Outcome values in a StatusResponse.
const (
	OutcomePending  = "pending"
	OutcomeAccepted = "accepted"
	OutcomeRejected = "rejected"
	OutcomeUnknown  = "unknown" // upstream has no such application
)

// StatusResponse lists outcomes.
type StatusResponse struct {
	ServerTime time.Time `json:"server_time"`
	Statuses   []Status  `json:"statuses"`
}

// Status is one application's outcome upstream.
type Status struct {
	UUID    string `json:"uuid"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// CachePage is one signed page of the citizen template cache: either a
// delta (changes after From up to To) or a page of a full snapshot (all
// records of version To, with ID numbers after After).
type CachePage struct {
	StationID string `json:"station_id"`
	// From is the cache version the delta applies to (0 for snapshots).
	From int64 `json:"from"`
	// To is the cache version after applying the delta, or the version of
	// the snapshot.
	To int64 `json:"to"`
	// After is the snapshot cursor this page continues from ("" first).
	After string `json:"after,omitempty"`
	// Next is the cursor of the next snapshot page, "" on the last page.
	Next string `json:"next,omitempty"`
	// More is set on a delta page when further pages follow (with From =
	// this page's To).
	More     bool      `json:"more,omitempty"`
	IssuedAt time.Time `json:"issued_at"`
	Records  []Citizen `json:"records"`
}

// Citizen is one record of the template cache.
type Citizen struct {
	IDNumber string `json:"id_number"`
	Version  int64  `json:"version"`
	Deleted  bool   `json:"deleted,omitempty"`
	// Source names where upstream took the templates from (provenance),
	// e.g. "cccd-db/2026-11-20".
	Source string `json:"source,omitempty"`
	Card   Card   `json:"card"`
	// Face is the face descriptor: 128 little-endian float32 values.
	Face []byte `json:"face,omitempty"`
	// Fingers maps finger positions ("R1".."R5", "L1".."L5") to templates
	// in the fingerprint engine's format, opaque here.
	Fingers map[string][]byte `json:"fingers,omitempty"`
}

// ErrorBody is the body of every non-2xx answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong; Code is stable, Message for humans.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes.
const (
	ErrCodeBadRequest       = "bad_request"
	ErrCodeBadSignature     = "bad_signature"
	ErrCodeUnknownStation   = "unknown_station"
	ErrCodeClockSkew        = "clock_skew"
	ErrCodeReplay           = "replayed_batch"
	ErrCodeSnapshotRequired = "snapshot_required"
	ErrCodeInternal         = "internal"
)

// DecodeBatch decodes and validates a batch payload.
func DecodeBatch(payload []byte) (*Batch, error) {
	var b Batch
	if err := decodeStrict(payload, MaxEnvelopeBytes, &b); err != nil {
		return nil, err
	}
	if !nameRe.MatchString(b.StationID) {
		return nil, bad("bad station_id")
	}
	if !uuidRe.MatchString(b.BatchID) {
		return nil, bad("bad batch_id")
	}
	if len(b.Applications) == 0 || len(b.Applications) > MaxApplications {
		return nil, bad("batch of %d applications (1..%d)", len(b.Applications), MaxApplications)
	}
	seen := map[string]bool{}
	for i := range b.Applications {
		a := &b.Applications[i]
		if err := a.validate(); err != nil {
			return nil, fmt.Errorf("application %d: %w", i, err)
		}
		if seen[a.UUID] {
			return nil, bad("application %s twice in one batch", a.UUID)
		}
		seen[a.UUID] = true
	}
	return &b, nil
}

func (a *Application) validate() error {
	if !uuidRe.MatchString(a.UUID) {
		return bad("bad uuid")
	}
	if err := a.Card.validate(); err != nil {
		return err
	}
	for _, s := range []struct{ f, v string }{{"officer", a.Officer}, {"supervisor", a.Supervisor}, {"consent_id", a.ConsentID}} {
		if s.v == "" {
			return bad("%s is empty", s.f)
		}
		if err := checkString(s.f, s.v); err != nil {
			return err
		}
	}
	if len(a.Checks) > MaxChecks || len(a.Evidence) > MaxEvidence {
		return bad("too many checks or evidence items")
	}
	for _, c := range a.Checks {
		if !kindRe.MatchString(c.Name) {
			return bad("bad check name")
		}
		if err := checkString("check detail", c.Detail); err != nil {
			return err
		}
	}
	for _, e := range a.Evidence {
		if !kindRe.MatchString(e.Kind) {
			return bad("bad evidence kind")
		}
		if len(e.Data) > MaxEvidenceBytes {
			return bad("evidence %s of %d bytes", e.Kind, len(e.Data))
		}
	}
	return nil
}

func (c *Card) validate() error {
	if !idRe.MatchString(c.IDNumber) {
		return bad("ID number must be 12 digits")
	}
	for _, s := range []string{c.FullName, c.DateOfBirth, c.Sex, c.PlaceOfOrigin, c.Residence, c.DateOfExpiry, c.Phone, c.Email} {
		if err := checkString("card field", s); err != nil {
			return err
		}
	}
	if len(c.Documents) > 32 {
		return bad("too many documents")
	}
	for _, d := range c.Documents {
		if err := checkString("document", d); err != nil {
			return err
		}
	}
	return nil
}

// DecodeBatchResult decodes and validates upstream's answer to a batch.
func DecodeBatchResult(data []byte) (*BatchResult, error) {
	var r BatchResult
	if err := decodeStrict(data, MaxResponseBytes, &r); err != nil {
		return nil, err
	}
	if !uuidRe.MatchString(r.BatchID) {
		return nil, bad("bad batch_id")
	}
	if len(r.Results) > MaxApplications {
		return nil, bad("%d results", len(r.Results))
	}
	for _, x := range r.Results {
		if !uuidRe.MatchString(x.UUID) {
			return nil, bad("bad uuid in result")
		}
		switch x.Status {
		case StatusStored, StatusDuplicate, StatusConflict:
		default:
			return nil, bad("unknown upload status %q", x.Status)
		}
		if err := checkString("reason", x.Reason); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// DecodeStatusRequest decodes a status request.
func DecodeStatusRequest(data []byte) (*StatusRequest, error) {
	var r StatusRequest
	if err := decodeStrict(data, MaxResponseBytes, &r); err != nil {
		return nil, err
	}
	if len(r.UUIDs) == 0 || len(r.UUIDs) > MaxStatusUUIDs {
		return nil, bad("status request for %d applications (1..%d)", len(r.UUIDs), MaxStatusUUIDs)
	}
	for _, u := range r.UUIDs {
		if !uuidRe.MatchString(u) {
			return nil, bad("bad uuid")
		}
	}
	return &r, nil
}

// DecodeStatusResponse decodes and validates a status answer.
func DecodeStatusResponse(data []byte) (*StatusResponse, error) {
	var r StatusResponse
	if err := decodeStrict(data, MaxResponseBytes, &r); err != nil {
		return nil, err
	}
	if len(r.Statuses) > MaxStatusUUIDs {
		return nil, bad("%d statuses", len(r.Statuses))
	}
	for _, s := range r.Statuses {
		if !uuidRe.MatchString(s.UUID) {
			return nil, bad("bad uuid in status")
		}
		switch s.Outcome {
		case OutcomePending, OutcomeAccepted, OutcomeRejected, OutcomeUnknown:
		default:
			return nil, bad("unknown outcome %q", s.Outcome)
		}
		if err := checkString("reason", s.Reason); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// DecodeCachePage decodes and validates a verified cache page payload.
func DecodeCachePage(payload []byte) (*CachePage, error) {
	var p CachePage
	if err := decodeStrict(payload, MaxEnvelopeBytes, &p); err != nil {
		return nil, err
	}
	if p.From < 0 || p.To < p.From {
		return nil, bad("versions from %d to %d", p.From, p.To)
	}
	if len(p.Records) > MaxRecords {
		return nil, bad("%d records in one page", len(p.Records))
	}
	if len(p.After) > 12 || len(p.Next) > 12 {
		return nil, bad("bad snapshot cursor")
	}
	for i := range p.Records {
		c := &p.Records[i]
		if !idRe.MatchString(c.IDNumber) {
			return nil, bad("record %d: ID number must be 12 digits", i)
		}
		if c.Version <= 0 || c.Version > p.To {
			return nil, bad("record %d: version %d outside the page's range", i, c.Version)
		}
		if err := checkString("source", c.Source); err != nil {
			return nil, err
		}
		if c.Deleted {
			continue
		}
		if err := c.Card.validate(); err != nil {
			return nil, err
		}
		if c.Card.IDNumber != c.IDNumber {
			return nil, bad("record %d: card ID differs from record ID", i)
		}
		if len(c.Face) != 0 && len(c.Face) != 4*FaceDescriptorSize {
			return nil, bad("record %d: face descriptor of %d bytes", i, len(c.Face))
		}
		if len(c.Fingers) > MaxFingers {
			return nil, bad("record %d: %d fingers", i, len(c.Fingers))
		}
		for pos, t := range c.Fingers {
			if !FingerPosition(pos) {
				return nil, bad("record %d: finger position %q", i, pos)
			}
			if len(t) == 0 || len(t) > MaxTemplateBytes {
				return nil, bad("record %d: finger %s template of %d bytes", i, pos, len(t))
			}
		}
	}
	return &p, nil
}

// FingerPosition reports whether s names a finger: R1..R5 (right thumb to
// little finger), L1..L5.
func FingerPosition(s string) bool {
	return len(s) == 2 && (s[0] == 'R' || s[0] == 'L') && s[1] >= '1' && s[1] <= '5'
}

// DecodeError decodes an error body; it never fails, falling back to the
// raw text (cut short) when the body is not an ErrorBody.
func DecodeError(data []byte) ErrorDetail {
	var e ErrorBody
	if err := decodeStrict(data, MaxResponseBytes, &e); err == nil && e.Error.Code != "" {
		if len(e.Error.Message) > maxString {
			e.Error.Message = e.Error.Message[:maxString]
		}
		return e.Error
	}
	s := string(data)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return ErrorDetail{Code: "", Message: fmt.Sprintf("%q", s)}
}
