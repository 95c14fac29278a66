// Package consent records the citizen's explicit consent to the processing
// of their personal data for one application, and enforces it: no capture
// starts before consent is recorded, and a withdrawal stops processing and
// schedules the application's data for deletion.
//
// A consent record says what the citizen agreed to (purposes, data types,
// retention), which notice they were shown (version, language and the
// SHA-256 of its exact text, from assets/consent), when, in front of which
// officer, and how they acknowledged it. Silence is not consent: a record
// without an acknowledgement method is refused.
package consent

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	consenttext "github.com/dinhdanh/dinhdanh/assets/consent"
	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/store"
)

// Purpose is one purpose the citizen consents to.
type Purpose string

// The purposes of a level-2 application (see the notice).
const (
	// IdentityVerification: matching the live portrait and fingerprints
	// against the chip and the identity database.
	IdentityVerification Purpose = "identity_verification"
	// Level2Account: preparing and sending the level-2 account application.
	Level2Account Purpose = "level2_account"
	// DocumentIntegration: integrating the documents the citizen names.
	DocumentIntegration Purpose = "document_integration"
)

// DataType is one kind of personal data the citizen consents to be processed.
type DataType string

// The data types.
const (
	CardData     DataType = "card_data"     // DG1, DG13
	ChipPortrait DataType = "chip_portrait" // DG2
	LivePortrait DataType = "live_portrait"
	Fingerprints DataType = "fingerprints"
	ContactData  DataType = "contact_data" // phone, e-mail, documents to integrate
)

// AckMethod is how the citizen acknowledged the notice.
type AckMethod string

// The acknowledgement methods. Each is an explicit act of the citizen.
const (
	// SignedPaper: the citizen signed the printed notice; AckRef names the
	// form's number.
	SignedPaper AckMethod = "signed_paper"
	// SignedOnPad: the citizen signed on the signature pad.
	SignedOnPad AckMethod = "signed_on_pad"
	// ConfirmedOnScreen: the citizen pressed "I agree" on the
	// citizen-facing screen.
	ConfirmedOnScreen AckMethod = "confirmed_on_screen"
)

var (
	knownPurposes  = map[Purpose]bool{IdentityVerification: true, Level2Account: true, DocumentIntegration: true}
	knownDataTypes = map[DataType]bool{CardData: true, ChipPortrait: true, LivePortrait: true, Fingerprints: true, ContactData: true}
	knownAcks      = map[AckMethod]bool{SignedPaper: true, SignedOnPad: true, ConfirmedOnScreen: true}
)

// Record is the consent given for one application.
type Record struct {
	AppUUID   string     `json:"app_uuid"`
	Purposes  []Purpose  `json:"purposes"`
	DataTypes []DataType `json:"data_types"`
	// RetentionDays is the retention of biometric evidence stated to the
	// citizen.
	RetentionDays int `json:"retention_days"`
	// TextVersion and Language name the notice shown; TextHash is the
	// SHA-256 (hex) of its exact text, filled in by Store.Record.
	TextVersion string    `json:"text_version"`
	Language    string    `json:"language"`
	TextHash    string    `json:"text_hash"`
	RecordedAt  time.Time `json:"recorded_at"`
	Officer     string    `json:"officer"`
	Ack         AckMethod `json:"ack_method"`
	// AckRef is a reference to the acknowledgement: the paper form number,
	// the signature image's ID. Optional.
	AckRef string `json:"ack_ref,omitempty"`

	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnBy    string     `json:"withdrawn_by,omitempty"`
	WithdrawReason string     `json:"withdraw_reason,omitempty"`
	// EraseAfter is when a withdrawn application's data becomes due for
	// deletion by the retention job; ErasedAt when it was deleted.
	EraseAfter *time.Time `json:"erase_after,omitempty"`
	ErasedAt   *time.Time `json:"erased_at,omitempty"`
}

// Withdrawn reports whether the consent was withdrawn.
func (r Record) Withdrawn() bool { return r.WithdrawnAt != nil }

// Errors of the consent gate.
var (
	ErrNoConsent = errors.New("no consent recorded for this application")
	ErrWithdrawn = errors.New("consent for this application was withdrawn")
)

// Store keeps consent records in the station database and audits every
// change in the same transaction.
type Store struct {
	db  *store.DB
	log *audit.Log
	now func() time.Time
}

// NewStore returns the consent store over log's database.
func NewStore(log *audit.Log) *Store {
	return &Store{db: log.DB(), log: log, now: time.Now}
}

// TextHash returns the SHA-256 (hex) of a notice's exact text.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// timeFormat is fixed width so that text order is time order (UTC only).
const timeFormat = audit.TimeFormat

// Record stores the consent the citizen gave, by officer a, for r.AppUUID.
// The notice named by r.TextVersion and r.Language must exist; its hash is
// stored. One consent per application: recording twice is refused.
func (s *Store) Record(ctx context.Context, a access.Actor, r Record) (Record, error) {
	if err := access.Check(a.Role, access.RecordConsent); err != nil {
		return r, fmt.Errorf("record consent: %w", err)
	}
	if err := validate(r); err != nil {
		return r, fmt.Errorf("record consent: %w", err)
	}
	text, err := consenttext.Text(r.TextVersion, r.Language)
	if err != nil {
		return r, fmt.Errorf("record consent: %w", err)
	}
	r.TextHash = TextHash(text)
	r.RecordedAt = s.now().UTC()
	r.Officer = a.Name
	r.WithdrawnAt, r.WithdrawnBy, r.WithdrawReason, r.EraseAfter, r.ErasedAt = nil, "", "", nil, nil
	purposes, _ := json.Marshal(r.Purposes)
	types, _ := json.Marshal(r.DataTypes)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO consents(app_uuid, purposes, data_types, retention_days, text_version,
			language, text_hash, recorded_at, officer, ack_method, ack_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.AppUUID, string(purposes), string(types), r.RetentionDays, r.TextVersion, r.Language, r.TextHash,
			r.RecordedAt.Format(timeFormat), r.Officer, string(r.Ack), r.AckRef)
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return fmt.Errorf("consent for application %s already recorded", r.AppUUID)
			}
			return err
		}
		_, err = s.log.RecordTx(ctx, tx, audit.Entry{Actor: a.Name, Role: string(a.Role), Action: audit.ConsentRecorded,
			Object: r.AppUUID, Outcome: audit.OK, Detail: map[string]string{
				"text_version": r.TextVersion, "language": r.Language, "text_hash": r.TextHash,
				"ack": string(r.Ack), "purposes": joinStrings(r.Purposes), "data_types": joinStrings(r.DataTypes),
				"retention_days": strconv.Itoa(r.RetentionDays)}})
		return err
	})
	if err != nil {
		return r, fmt.Errorf("record consent: %w", err)
	}
	return r, nil
}

func joinStrings[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

func validate(r Record) error {
	if !validUUID(r.AppUUID) {
		return errors.New("application UUID is not a UUID")
	}
	if len(r.Purposes) == 0 || len(r.DataTypes) == 0 {
		return errors.New("consent names no purpose or no data type")
	}
	for _, p := range r.Purposes {
		if !knownPurposes[p] {
			return fmt.Errorf("unknown purpose %q", p)
		}
	}
	for _, d := range r.DataTypes {
		if !knownDataTypes[d] {
			return fmt.Errorf("unknown data type %q", d)
		}
	}
	if !knownAcks[r.Ack] {
		return fmt.Errorf("acknowledgement %q is not an explicit act of the citizen (silence is not consent)", r.Ack)
	}
	if r.RetentionDays <= 0 {
		return errors.New("retention stated to the citizen must be a positive number of days")
	}
	if len(r.AckRef) > 100 {
		return errors.New("acknowledgement reference longer than 100 bytes")
	}
	return nil
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Get returns the consent recorded for appUUID, or an error wrapping
// ErrNoConsent.
func (s *Store) Get(ctx context.Context, appUUID string) (Record, error) {
	row := s.db.QueryRowContext(ctx, `SELECT app_uuid, purposes, data_types, retention_days, text_version, language,
		text_hash, recorded_at, officer, ack_method, ack_ref, withdrawn_at, withdrawn_by, withdraw_reason,
		erase_after, erased_at FROM consents WHERE app_uuid = ?`, appUUID)
	r, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("consent %s: %w", appUUID, ErrNoConsent)
	}
	if err != nil {
		return r, fmt.Errorf("consent %s: %w", appUUID, err)
	}
	return r, nil
}

func scan(row interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var purposes, types, recorded, ack string
	var wAt, wBy, wWhy, eAfter, eAt sql.NullString
	err := row.Scan(&r.AppUUID, &purposes, &types, &r.RetentionDays, &r.TextVersion, &r.Language, &r.TextHash,
		&recorded, &r.Officer, &ack, &r.AckRef, &wAt, &wBy, &wWhy, &eAfter, &eAt)
	if err != nil {
		return r, err
	}
	r.Ack = AckMethod(ack)
	if err := json.Unmarshal([]byte(purposes), &r.Purposes); err != nil {
		return r, fmt.Errorf("purposes: %w", err)
	}
	if err := json.Unmarshal([]byte(types), &r.DataTypes); err != nil {
		return r, fmt.Errorf("data types: %w", err)
	}
	if r.RecordedAt, err = time.Parse(timeFormat, recorded); err != nil {
		return r, fmt.Errorf("recorded_at: %w", err)
	}
	r.WithdrawnAt, r.WithdrawnBy, r.WithdrawReason = parseTime(wAt), wBy.String, wWhy.String
	r.EraseAfter, r.ErasedAt = parseTime(eAfter), parseTime(eAt)
	return r, nil
}

func parseTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t, err := time.Parse(timeFormat, s.String)
	if err != nil {
		return nil
	}
	return &t
}

// RequireConsent is the gate capture code calls before any capture, and
// sync before any upload: it returns nil only when consent for appUUID is
// recorded and not withdrawn. A refusal is audited (in its own
// transaction: call the gate before opening a write transaction).
func (s *Store) RequireConsent(ctx context.Context, appUUID string) error {
	r, err := s.Get(ctx, appUUID)
	if err == nil && !r.Withdrawn() {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("consent %s: %w", appUUID, ErrWithdrawn)
	}
	if errors.Is(err, ErrNoConsent) || errors.Is(err, ErrWithdrawn) {
		reason := "missing"
		if errors.Is(err, ErrWithdrawn) {
			reason = "withdrawn"
		}
		if rerr := s.log.Record(ctx, audit.Entry{Actor: "system", Role: audit.RoleSystem, Action: audit.ConsentMissing,
			Object: appUUID, Outcome: audit.Denied, Detail: map[string]string{"reason": reason}}); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	return err
}

// Withdraw records that the citizen withdrew consent for appUUID, taken by
// a (an officer or supervisor). Processing stops at once (RequireConsent
// fails from now on) and the application's data becomes due for deletion
// after grace (zero: at the next retention run).
func (s *Store) Withdraw(ctx context.Context, a access.Actor, appUUID, reason string, grace time.Duration) error {
	if err := access.Check(a.Role, access.RecordConsent); err != nil {
		return fmt.Errorf("withdraw consent: %w", err)
	}
	if len(reason) > 200 {
		reason = reason[:200]
	}
	now := s.now().UTC()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE consents SET withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ?,
			erase_after = ? WHERE app_uuid = ? AND withdrawn_at IS NULL`,
			now.Format(timeFormat), a.Name, reason, now.Add(grace).Format(timeFormat), appUUID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM consents WHERE app_uuid = ?`, appUUID).Scan(&exists)
			if exists == 0 {
				return ErrNoConsent
			}
			return ErrWithdrawn
		}
		_, err = s.log.RecordTx(ctx, tx, audit.Entry{Actor: a.Name, Role: string(a.Role), Action: audit.ConsentWithdrawn,
			Object: appUUID, Outcome: audit.OK, Detail: map[string]string{"reason": reason,
				"erase_after": now.Add(grace).Format(time.RFC3339)}})
		return err
	})
	if err != nil {
		return fmt.Errorf("withdraw consent %s: %w", appUUID, err)
	}
	return nil
}

// DueForErasure returns the withdrawn applications whose data is due for
// deletion at now and not yet erased.
func (s *Store) DueForErasure(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT app_uuid, erase_after FROM consents
		WHERE erase_after IS NOT NULL AND erased_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("consents due for erasure: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, after string
		if err := rows.Scan(&id, &after); err != nil {
			return nil, fmt.Errorf("consents due for erasure: %w", err)
		}
		t, err := time.Parse(timeFormat, after)
		if err != nil || !t.After(now) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// MarkErased records that a withdrawn application's data was deleted. The
// consent record itself stays, as proof that processing stopped, until the
// application-data retention period removes it.
func (s *Store) MarkErased(ctx context.Context, appUUID string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE consents SET erased_at = ? WHERE app_uuid = ?`,
		s.now().UTC().Format(timeFormat), appUUID)
	if err != nil {
		return fmt.Errorf("mark consent %s erased: %w", appUUID, err)
	}
	return nil
}

// Purge deletes consent records given before cutoff (the application-data
// retention period) and returns how many went. Withdrawn records whose data
// has not been erased yet are kept.
func (s *Store) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM consents WHERE recorded_at < ?
		AND (withdrawn_at IS NULL OR erased_at IS NOT NULL)`, cutoff.UTC().Format(timeFormat))
	if err != nil {
		return 0, fmt.Errorf("purge consents: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Delete removes the consent record of one application (data-subject
// erasure). It returns whether a record was there.
func (s *Store) Delete(ctx context.Context, appUUID string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM consents WHERE app_uuid = ?`, appUUID)
	if err != nil {
		return false, fmt.Errorf("delete consent %s: %w", appUUID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetClock replaces the store's clock; for tests of code that builds on
// consent records made at given times.
func SetClock(s *Store, now func() time.Time) { s.now = now }
