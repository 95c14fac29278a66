package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind classifies a break in the chain.
type Kind string

// The kinds of break Verify reports.
const (
	// Altered: the entry's fields no longer hash to its stored hash.
	Altered Kind = "altered"
	// Replaced: the entry hashes correctly but is not the entry the next
	// one (or the recorded head) was chained to: it was rewritten along
	// with its hash.
	Replaced Kind = "replaced"
	// Missing: entries are absent from the middle or the start of the log.
	Missing Kind = "missing"
	// Truncated: entries are absent from the end of the log.
	Truncated Kind = "truncated"
	// Unreadable: a row has NULLs or unparseable fields.
	Unreadable Kind = "unreadable"
	// CheckpointMismatch: a signed checkpoint names a different hash for
	// its seq than the log holds: entries up to it were rewritten.
	CheckpointMismatch Kind = "checkpoint_mismatch"
	// BadSignature: a checkpoint's signature does not verify.
	BadSignature Kind = "bad_signature"
	// UntrustedKey: a checkpoint was signed by a key not in
	// VerifyOptions.TrustedKeys.
	UntrustedKey Kind = "untrusted_key"
	// HeadMismatch: the log disagrees with a head known from elsewhere
	// (VerifyOptions.KnownHeads, e.g. heads upstream acknowledged).
	HeadMismatch Kind = "head_mismatch"
)

// Break is one place where the chain does not verify.
type Break struct {
	// Seq is the first entry affected.
	Seq    int64  `json:"seq"`
	Kind   Kind   `json:"kind"`
	Reason string `json:"reason"`
	// Acknowledged is set when a supervisor has acknowledged this break.
	Acknowledged bool `json:"acknowledged,omitempty"`
}

func (b Break) String() string {
	s := fmt.Sprintf("seq %d: %s: %s", b.Seq, b.Kind, b.Reason)
	if b.Acknowledged {
		s += " (acknowledged)"
	}
	return s
}

// Report is the outcome of verifying the chain.
type Report struct {
	// Entries is how many entries were read.
	Entries int `json:"entries"`
	// Base is where the chain starts: seq 0 and ZeroHash unless retention
	// pruned older entries.
	Base Head `json:"base"`
	// Head is the recorded head.
	Head Head `json:"head"`
	// Checkpoints is how many signed checkpoints verified.
	Checkpoints int `json:"checkpoints"`
	// Breaks lists every break found, in seq order (at most maxBreaks).
	Breaks []Break `json:"breaks,omitempty"`
	// Warnings are weaknesses that are not breaks, e.g. a missing trigger.
	Warnings []string `json:"warnings,omitempty"`
}

const maxBreaks = 100

// OK reports whether every break (if any) has been acknowledged.
func (r *Report) OK() bool { return r.FirstBreak() == nil }

// FirstBreak returns the first unacknowledged break, or nil.
func (r *Report) FirstBreak() *Break {
	for i := range r.Breaks {
		if !r.Breaks[i].Acknowledged {
			return &r.Breaks[i]
		}
	}
	return nil
}

// VerifyOptions adds outside knowledge to a verification.
type VerifyOptions struct {
	// TrustedKeys, if not empty, are the only keys checkpoints may be
	// signed with (the station's keys, current and rotated out).
	TrustedKeys []ed25519.PublicKey
	// KnownHeads are heads known from outside the database (e.g. from
	// upstream's copy); the log must still hold each of them. Verify adds
	// the heads noted with NoteUpstreamHead.
	KnownHeads []Head
}

// walker checks entries one by one in seq order.
type walker struct {
	opts     VerifyOptions
	cps      map[int64]Checkpoint
	known    map[int64]string
	prevSeq  int64
	prevHash string
	first    bool  // no entry read yet: prev is the base
	lastGood int64 // seq of the last checkpoint or known head that matched
	prevTime string
	setBack  int
	prunedTo map[Head]bool // bases recorded by audit.pruned entries
	rep      *Report
}

func newWalker(base Head, cps []Checkpoint, opts VerifyOptions, rep *Report) *walker {
	w := &walker{opts: opts, cps: map[int64]Checkpoint{}, known: map[int64]string{},
		prevSeq: base.Seq, prevHash: base.Hash, first: true, lastGood: base.Seq, rep: rep}
	for _, c := range cps {
		if c.Seq <= base.Seq {
			continue // pruned with its entries
		}
		if b := w.checkSignature(c); b != nil {
			w.add(*b)
			continue
		}
		w.cps[c.Seq] = c
	}
	for _, h := range opts.KnownHeads {
		if h.Seq > base.Seq {
			w.known[h.Seq] = h.Hash
		}
	}
	return w
}

func (w *walker) add(b Break) {
	if len(w.rep.Breaks) < maxBreaks {
		w.rep.Breaks = append(w.rep.Breaks, b)
	}
}

func (w *walker) checkSignature(c Checkpoint) *Break {
	pub, err := hex.DecodeString(c.PublicKey)
	sig, err2 := hex.DecodeString(c.Signature)
	if err != nil || err2 != nil || len(pub) != ed25519.PublicKeySize {
		return &Break{Seq: c.Seq, Kind: BadSignature, Reason: "checkpoint key or signature is not valid hex of the right length"}
	}
	if !ed25519.Verify(ed25519.PublicKey(pub), c.Message(), sig) {
		return &Break{Seq: c.Seq, Kind: BadSignature, Reason: "checkpoint signature does not verify"}
	}
	if len(w.opts.TrustedKeys) > 0 {
		trusted := false
		for _, k := range w.opts.TrustedKeys {
			if k.Equal(ed25519.PublicKey(pub)) {
				trusted = true
			}
		}
		if !trusted {
			return &Break{Seq: c.Seq, Kind: UntrustedKey, Reason: "checkpoint signed by key " + c.PublicKey[:16] + "…, not a trusted station key"}
		}
	}
	return nil
}

// entry checks one entry. unreadable is non-empty when the row could not be
// read whole.
func (w *walker) entry(s Stored, unreadable string) {
	w.rep.Entries++
	expect := w.prevSeq + 1
	switch {
	case s.Seq <= w.prevSeq:
		w.add(Break{Seq: s.Seq, Kind: Replaced, Reason: fmt.Sprintf("entry %d appears after entry %d: out of order", s.Seq, w.prevSeq)})
		return
	case s.Seq > expect:
		gap := fmt.Sprintf("entry %d", expect)
		if s.Seq-1 > expect {
			gap = fmt.Sprintf("entries %d–%d", expect, s.Seq-1)
		}
		w.add(Break{Seq: expect, Kind: Missing, Reason: gap + " missing"})
		w.resync(s)
		return
	}
	if unreadable != "" {
		w.add(Break{Seq: s.Seq, Kind: Unreadable, Reason: unreadable})
		w.resync(s)
		return
	}
	if got := s.ComputeHash(); got != s.Hash {
		w.add(Break{Seq: s.Seq, Kind: Altered, Reason: "entry does not match its hash: a field was edited"})
		w.resync(s)
		return
	}
	if s.PrevHash != w.prevHash {
		if w.first {
			w.add(Break{Seq: s.Seq, Kind: Replaced, Reason: "first entry does not chain to the recorded base"})
		} else {
			w.add(Break{Seq: w.prevSeq, Kind: Replaced, Reason: fmt.Sprintf("entry %d is not the entry %d was chained to: rewritten with a new hash", w.prevSeq, s.Seq)})
		}
		w.resync(s)
		return
	}
	w.resync(s)
}

// resync continues the walk from s, so that one break does not hide
// later ones.
func (w *walker) resync(s Stored) {
	if c, ok := w.cps[s.Seq]; ok {
		if c.Hash != s.Hash {
			w.add(Break{Seq: s.Seq, Kind: CheckpointMismatch, Reason: fmt.Sprintf(
				"signed checkpoint names a different hash: entries after %d and up to here were rewritten", w.lastGood)})
		} else {
			w.rep.Checkpoints++
			w.lastGood = s.Seq
		}
		delete(w.cps, s.Seq)
	}
	if h, ok := w.known[s.Seq]; ok {
		if h != s.Hash {
			w.add(Break{Seq: s.Seq, Kind: HeadMismatch, Reason: fmt.Sprintf(
				"a head sent upstream names a different hash: entries after %d and up to here were rewritten", w.lastGood)})
		} else {
			w.lastGood = s.Seq
		}
		delete(w.known, s.Seq)
	}
	if s.Action == AuditPruned {
		var d struct {
			Seq  string `json:"base_seq"`
			Hash string `json:"base_hash"`
		}
		if json.Unmarshal([]byte(s.Detail), &d) == nil {
			if n, err := strconv.ParseInt(d.Seq, 10, 64); err == nil {
				if w.prunedTo == nil {
					w.prunedTo = map[Head]bool{}
				}
				w.prunedTo[Head{Seq: n, Hash: d.Hash}] = true
			}
		}
	}
	if s.Time < w.prevTime {
		w.setBack++
		if w.setBack <= 10 {
			w.rep.Warnings = append(w.rep.Warnings, fmt.Sprintf("entry %d is timed %s, before entry %d: the clock was set back", s.Seq, s.Time, w.prevSeq))
		}
	}
	w.prevSeq, w.prevHash, w.first, w.prevTime = s.Seq, s.Hash, false, s.Time
}

// finish checks the end of the log against the recorded head and against
// checkpoints and known heads that lie beyond it.
func (w *walker) finish(head *Head) {
	last := w.prevSeq
	if head != nil {
		switch {
		case head.Seq > last:
			w.add(Break{Seq: last + 1, Kind: Truncated, Reason: fmt.Sprintf("log ends at entry %d but its head is %d: the tail was removed", last, head.Seq)})
		case head.Seq < last:
			w.add(Break{Seq: head.Seq + 1, Kind: Replaced, Reason: fmt.Sprintf("entries after the recorded head %d were added outside the log", head.Seq)})
		case head.Hash != w.prevHash && last > 0:
			w.add(Break{Seq: last, Kind: Replaced, Reason: "last entry is not the recorded head: rewritten with a new hash"})
		}
	}
	// Checkpoints and known heads left over either fell into a gap (already
	// reported as missing) or lie past the end: only the latter matter here.
	var beyond []int64
	for s := range w.cps {
		if s > last {
			beyond = append(beyond, s)
		}
	}
	for s := range w.known {
		if s > last {
			beyond = append(beyond, s)
		}
	}
	if len(beyond) > 0 && (head == nil || head.Seq <= last) {
		sort.Slice(beyond, func(i, j int) bool { return beyond[i] < beyond[j] })
		w.add(Break{Seq: last + 1, Kind: Truncated, Reason: fmt.Sprintf("log ends at entry %d but entry %d was signed or sent upstream: the tail was removed", last, beyond[len(beyond)-1])})
	}
	sort.SliceStable(w.rep.Breaks, func(i, j int) bool { return w.rep.Breaks[i].Seq < w.rep.Breaks[j].Seq })
}

// Verify reads the whole log and checks the chain: every entry's hash,
// every link, the sequence, the recorded base and head, and the signed
// checkpoints. It returns an error only when the log cannot be read at
// all; breaks are in the report. Acknowledged breaks are marked.
func (l *Log) Verify(ctx context.Context, opts VerifyOptions) (*Report, error) {
	rep := &Report{}
	tx, err := l.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("audit verify: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT base_seq, base_hash, head_seq, head_hash FROM audit_state WHERE id = 1`).
		Scan(&rep.Base.Seq, &rep.Base.Hash, &rep.Head.Seq, &rep.Head.Hash); err != nil {
		return nil, fmt.Errorf("audit verify: read state: %w", err)
	}
	cps, err := readCheckpoints(ctx, tx, 0, -1)
	if err != nil {
		return nil, err
	}
	ups, err := readUpstreamHeads(ctx, tx)
	if err != nil {
		return nil, err
	}
	opts.KnownHeads = append(append([]Head(nil), opts.KnownHeads...), ups...)
	if len(opts.TrustedKeys) == 0 && l.pub != nil {
		// Without a list of trusted keys a checkpoint signed by another key
		// is not a break (the station key may have been rotated) but is
		// worth a look.
		other := map[string]int{}
		mine := hex.EncodeToString(l.pub)
		for _, c := range cps {
			if c.Seq > rep.Base.Seq && c.PublicKey != mine {
				other[c.PublicKey]++
			}
		}
		for k, n := range other {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d checkpoints signed by key %.16s…, not the current station key (rotated out, or forged)", n, k))
		}
		sort.Strings(rep.Warnings)
	}
	w := newWalker(rep.Base, cps, opts, rep)
	rows, err := tx.QueryContext(ctx, `SELECT seq, time, actor, role, action, object, outcome, detail, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("audit verify: read log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		s, bad, err := scanStored(rows)
		if err != nil {
			return nil, fmt.Errorf("audit verify: read log: %w", err)
		}
		w.entry(s, bad)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit verify: read log: %w", err)
	}
	if rep.Base.Seq > 0 && !w.prunedTo[rep.Base] {
		w.add(Break{Seq: 1, Kind: Missing, Reason: fmt.Sprintf(
			"the chain starts after entry %d but no audit.pruned entry records pruning up to it: entries 1–%d were removed", rep.Base.Seq, rep.Base.Seq)})
	}
	w.finish(&rep.Head)
	acks, err := readAcks(ctx, tx)
	if err != nil {
		return nil, err
	}
	for i, b := range rep.Breaks {
		rep.Breaks[i].Acknowledged = acks[ackKey{b.Seq, ackKind(b.Kind)}]
	}
	rep.Warnings = append(rep.Warnings, checkGuards(ctx, tx)...)
	return rep, nil
}

// scanStored reads a row, tolerating NULLs and wrong types: those are
// reported as an unreadable entry, not as an error.
func scanStored(rows *sql.Rows) (Stored, string, error) {
	var seq sql.NullInt64
	var f [9]sql.NullString
	if err := rows.Scan(&seq, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8]); err != nil {
		return Stored{}, "", err
	}
	s := Stored{Seq: seq.Int64, Time: f[0].String, Actor: f[1].String, Role: f[2].String, Action: f[3].String,
		Object: f[4].String, Outcome: f[5].String, Detail: f[6].String, PrevHash: f[7].String, Hash: f[8].String}
	names := []string{"time", "actor", "role", "action", "object", "outcome", "detail", "prev_hash", "hash"}
	var nulls []string
	for i, v := range f {
		if !v.Valid {
			nulls = append(nulls, names[i])
		}
	}
	if len(nulls) > 0 {
		return s, "NULL in " + strings.Join(nulls, ", "), nil
	}
	return s, "", nil
}

func readCheckpoints(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, from, to int64) ([]Checkpoint, error) {
	query := `SELECT seq, hash, time, public_key, signature FROM audit_checkpoints WHERE seq >= ?`
	args := []any{from}
	if to >= 0 {
		query += ` AND seq <= ?`
		args = append(args, to)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		var c Checkpoint
		var h, t, k, s sql.NullString
		if err := rows.Scan(&c.Seq, &h, &t, &k, &s); err != nil {
			return nil, fmt.Errorf("audit: read checkpoints: %w", err)
		}
		c.Hash, c.Time, c.PublicKey, c.Signature = h.String, t.String, k.String, s.String
		out = append(out, c)
	}
	return out, rows.Err()
}

// ackKind is the kind an acknowledgement is matched on: a cut tail
// (truncated) becomes a gap (missing) as soon as new entries follow it, and
// stays the same acknowledged break.
func ackKind(k Kind) Kind {
	if k == Truncated {
		return Missing
	}
	return k
}

type ackKey struct {
	seq  int64
	kind Kind
}

func readAcks(ctx context.Context, tx *sql.Tx) (map[ackKey]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, kind FROM audit_acks`)
	if err != nil {
		return nil, fmt.Errorf("audit: read acknowledgements: %w", err)
	}
	defer rows.Close()
	out := map[ackKey]bool{}
	for rows.Next() {
		var k ackKey
		var kind string
		if err := rows.Scan(&k.seq, &kind); err != nil {
			return nil, fmt.Errorf("audit: read acknowledgements: %w", err)
		}
		k.kind = ackKind(Kind(kind))
		out[k] = true
	}
	return out, rows.Err()
}

var guardTriggers = []string{
	"audit_log_no_update", "audit_log_no_delete", "audit_log_extends_head", "audit_log_moves_head",
	"audit_state_forward", "audit_state_no_delete", "audit_checkpoints_no_update",
	"audit_checkpoints_no_delete", "audit_acks_no_update", "audit_acks_no_delete",
	"audit_upstream_heads_no_update", "audit_upstream_heads_no_delete",
}

func checkGuards(ctx context.Context, tx *sql.Tx) []string {
	var warn []string
	for _, name := range guardTriggers {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?`, name).Scan(&n)
		if err != nil || n == 0 {
			warn = append(warn, "guard trigger "+name+" is missing: the audit tables were opened with another tool")
		}
	}
	return warn
}

func sortStored(s []Stored) {
	sort.Slice(s, func(i, j int) bool { return s[i].Seq < s[j].Seq })
}
