package audit

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dinhdanh/dinhdanh/station/idnum"
	"github.com/dinhdanh/dinhdanh/station/store"
)

// TimeFormat is how entry times are stored: UTC, fixed width, so that text
// order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// Limits that keep entries small: an entry says what happened, it does not
// carry data (and never biometric data).
const (
	maxField       = 200
	maxDetailValue = 256
	maxDetailKeys  = 32
)

// DefaultCheckpointEvery is how many entries pass between automatic signed
// checkpoints when Options.CheckpointEvery is zero.
const DefaultCheckpointEvery = 256

// Options configures a Log.
type Options struct {
	// Signer signs checkpoints; it must hold an Ed25519 key (an
	// ed25519.PrivateKey works). Nil means no checkpoints are written.
	Signer crypto.Signer
	// CheckpointEvery writes a signed checkpoint when an entry's seq is a
	// multiple of it. Zero means DefaultCheckpointEvery.
	CheckpointEvery int
	// Now returns the current time; nil means time.Now. For tests.
	Now func() time.Time
}

// Log is the station's audit log, stored in the station database. It
// implements Recorder. It is safe for concurrent use, also by several
// processes sharing the database file: each append is one immediate
// transaction.
type Log struct {
	db     *store.DB
	signer crypto.Signer
	pub    ed25519.PublicKey
	every  int64
	now    func() time.Time

	mu        sync.Mutex
	integrity Integrity
}

var _ Recorder = (*Log)(nil)

// New returns the log kept in db, whose migrations must have run.
func New(db *store.DB, opts Options) (*Log, error) {
	l := &Log{db: db, signer: opts.Signer, every: int64(opts.CheckpointEvery), now: opts.Now}
	if l.every <= 0 {
		l.every = DefaultCheckpointEvery
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.signer != nil {
		pub, ok := l.signer.Public().(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("audit log: checkpoint signer holds a %T, want an Ed25519 key", l.signer.Public())
		}
		l.pub = pub
	}
	l.integrity = Integrity{State: Unchecked}
	return l, nil
}

// DB returns the database the log lives in.
func (l *Log) DB() *store.DB { return l.db }

var (
	actionRe = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)
	keyRe    = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
)

var validRoles = map[string]bool{RoleOfficer: true, RoleSupervisor: true, RoleTechnician: true, RoleSystem: true}

// normalize checks e and returns the fields to store. ID numbers found in
// the actor, object or detail values are masked here, as a last line: the
// callers should already have masked them.
func normalize(e Entry) (Stored, error) {
	var s Stored
	if e.Actor == "" {
		return s, errors.New("audit entry: empty actor")
	}
	if !validRoles[e.Role] {
		return s, fmt.Errorf("audit entry: role %q is not officer, supervisor, technician or system", e.Role)
	}
	if !actionRe.MatchString(e.Action) {
		return s, fmt.Errorf("audit entry: action %q is not a dotted lower-case name", e.Action)
	}
	switch e.Outcome {
	case "":
		e.Outcome = OK
	case OK, Denied, Failed:
	default:
		return s, fmt.Errorf("audit entry: outcome %q is not ok, denied or failed", e.Outcome)
	}
	if len(e.Actor) > maxField || len(e.Object) > maxField {
		return s, errors.New("audit entry: actor or object longer than 200 bytes")
	}
	if len(e.Detail) > maxDetailKeys {
		return s, fmt.Errorf("audit entry: %d detail keys, at most %d", len(e.Detail), maxDetailKeys)
	}
	detail := make(map[string]string, len(e.Detail))
	for k, v := range e.Detail {
		if !keyRe.MatchString(k) {
			return s, fmt.Errorf("audit entry: detail key %q is not a short lower-case name", k)
		}
		if len(v) > maxDetailValue {
			// Long unbroken values are how image or template bytes (base64,
			// hex) would get in: refuse them. Long prose (an error message)
			// is cut instead, so the entry is not lost.
			if !strings.Contains(v, " ") {
				return s, fmt.Errorf("audit entry: detail %q is %d bytes without a space, at most %d (no data in the audit log)", k, len(v), maxDetailValue)
			}
			v = cut(v, maxDetailValue-len("…")) + "…"
		}
		detail[k] = idnum.MaskAll(v)
	}
	dj, err := json.Marshal(detail)
	if err != nil {
		return s, fmt.Errorf("audit entry: encode detail: %w", err)
	}
	return Stored{
		Actor:   idnum.MaskAll(e.Actor),
		Role:    e.Role,
		Action:  e.Action,
		Object:  idnum.MaskAll(e.Object),
		Outcome: e.Outcome,
		Detail:  string(dj),
	}, nil
}

// cut shortens s to at most n bytes without splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Record appends e to the log in its own transaction. The entry is durable
// (committed with synchronous=FULL) when Record returns nil.
func (l *Log) Record(ctx context.Context, e Entry) error {
	return l.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := l.RecordTx(ctx, tx, e)
		return err
	})
}

// RecordTx appends e inside the caller's transaction, so that an action and
// its audit entry commit or vanish together. The transaction must have
// been begun on the log's database (store transactions take the write lock
// at BEGIN, so the head read here cannot change before commit).
func (l *Log) RecordTx(ctx context.Context, tx *sql.Tx, e Entry) (Stored, error) {
	s, err := normalize(e)
	if err != nil {
		return s, err
	}
	var head Head
	if err := tx.QueryRowContext(ctx, `SELECT head_seq, head_hash FROM audit_state WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return s, fmt.Errorf("audit: read head: %w", err)
	}
	s.Seq = head.Seq + 1
	s.PrevHash = head.Hash
	s.Time = l.now().UTC().Format(TimeFormat)
	s.Hash = s.ComputeHash()
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log(seq, time, actor, role, action, object, outcome, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Seq, s.Time, s.Actor, s.Role, s.Action, s.Object, s.Outcome, s.Detail, s.PrevHash, s.Hash); err != nil {
		return s, fmt.Errorf("audit: append %s: %w", s.Action, err)
	}
	if l.signer != nil && s.Seq%l.every == 0 {
		if _, err := l.checkpointTx(ctx, tx, Head{Seq: s.Seq, Hash: s.Hash}); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Head returns the chain's head as recorded in the database.
func (l *Log) Head(ctx context.Context) (Head, error) {
	var h Head
	err := l.db.QueryRowContext(ctx, `SELECT head_seq, head_hash FROM audit_state WHERE id = 1`).Scan(&h.Seq, &h.Hash)
	if err != nil {
		return h, fmt.Errorf("audit: read head: %w", err)
	}
	return h, nil
}

// ErrNoSigner is returned by Checkpoint when the log has no signer.
var ErrNoSigner = errors.New("audit: no checkpoint signer configured")

// Checkpoint signs the current head now (if it is not signed already) and
// returns the checkpoint.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	if l.signer == nil {
		return Checkpoint{}, ErrNoSigner
	}
	var c Checkpoint
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		var h Head
		if err := tx.QueryRowContext(ctx, `SELECT head_seq, head_hash FROM audit_state WHERE id = 1`).Scan(&h.Seq, &h.Hash); err != nil {
			return fmt.Errorf("audit: read head: %w", err)
		}
		if h.Seq == 0 {
			return errors.New("audit: nothing to checkpoint, the log is empty")
		}
		err := tx.QueryRowContext(ctx, `SELECT seq, hash, time, public_key, signature FROM audit_checkpoints WHERE seq = ?`, h.Seq).
			Scan(&c.Seq, &c.Hash, &c.Time, &c.PublicKey, &c.Signature)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit: read checkpoint: %w", err)
		}
		c, err = l.checkpointTx(ctx, tx, h)
		return err
	})
	return c, err
}

func (l *Log) checkpointTx(ctx context.Context, tx *sql.Tx, h Head) (Checkpoint, error) {
	c := Checkpoint{Seq: h.Seq, Hash: h.Hash, Time: l.now().UTC().Format(TimeFormat), PublicKey: hex.EncodeToString(l.pub)}
	sig, err := l.signer.Sign(rand.Reader, c.Message(), crypto.Hash(0))
	if err != nil {
		return c, fmt.Errorf("audit: sign checkpoint %d: %w", h.Seq, err)
	}
	c.Signature = hex.EncodeToString(sig)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints(seq, hash, time, public_key, signature) VALUES (?, ?, ?, ?, ?)`,
		c.Seq, c.Hash, c.Time, c.PublicKey, c.Signature); err != nil {
		return c, fmt.Errorf("audit: store checkpoint %d: %w", h.Seq, err)
	}
	return c, nil
}

// EntriesFor returns the entries whose object is one of objects, in seq
// order, for data-subject exports. Pass application UUIDs and the masked
// ID number.
func (l *Log) EntriesFor(ctx context.Context, objects []string) ([]Stored, error) {
	var out []Stored
	for _, o := range objects {
		if o == "" {
			continue
		}
		rows, err := l.db.QueryContext(ctx, `SELECT seq, time, actor, role, action, object, outcome, detail, prev_hash, hash
			FROM audit_log WHERE object = ? ORDER BY seq`, o)
		if err != nil {
			return nil, fmt.Errorf("audit: entries for object: %w", err)
		}
		for rows.Next() {
			var s Stored
			if err := rows.Scan(&s.Seq, &s.Time, &s.Actor, &s.Role, &s.Action, &s.Object, &s.Outcome, &s.Detail, &s.PrevHash, &s.Hash); err != nil {
				rows.Close()
				return nil, fmt.Errorf("audit: entries for object: %w", err)
			}
			out = append(out, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("audit: entries for object: %w", err)
		}
	}
	sortStored(out)
	return out, nil
}
