package audit

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ExportFormat names the export layout written by Export.
const ExportFormat = "dinhdanh-audit-export-v1"

// exportLine is one JSON line of an export. Type is "header", "entry",
// "checkpoint" or "head".
type exportLine struct {
	Type string `json:"type"`
	// header
	Format   string `json:"format,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	Encoding string `json:"hash_encoding,omitempty"`
	*Stored
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	Head       *Head       `json:"head,omitempty"`
}

const encodingDoc = `hash = lowercase hex SHA-256 of "dinhdanh audit v1\n" then, for seq (decimal), time, actor, role, action, object, outcome, detail, prev_hash: len(field bytes) in decimal, ":", field, "\n". Checkpoint signature = Ed25519 over "dinhdanh audit checkpoint v1\n" seq "\n" hash "\n" time "\n".`

// Export writes the entries recorded in [from, to) as JSON lines, with the
// chain data and the signed checkpoints among them, so an inspector can
// re-verify the extract offline (VerifyExport, "station audit verify
// --file"). The export is itself audited as done by actor in role. It
// returns the number of entries written.
//
// The range is taken by seq, from the first entry at or after from to the
// last entry before to, so an extract is always a contiguous piece of the
// chain even if the clock was set back in between.
func (l *Log) Export(ctx context.Context, w io.Writer, from, to time.Time, actor, role string) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	fromS, toS := from.UTC().Format(TimeFormat), to.UTC().Format(TimeFormat)
	err := func() error {
		tx, err := l.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var lo, hi sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(seq) FROM audit_log WHERE time >= ?`, fromS).Scan(&lo); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_log WHERE time < ?`, toS).Scan(&hi); err != nil {
			return err
		}
		if err := enc.Encode(exportLine{Type: "header", Format: ExportFormat, From: fromS, To: toS, Encoding: encodingDoc}); err != nil {
			return err
		}
		if lo.Valid && hi.Valid && lo.Int64 <= hi.Int64 {
			cps, err := readCheckpoints(ctx, tx, lo.Int64, hi.Int64)
			if err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, `SELECT seq, time, actor, role, action, object, outcome, detail, prev_hash, hash
				FROM audit_log WHERE seq BETWEEN ? AND ? ORDER BY seq`, lo.Int64, hi.Int64)
			if err != nil {
				return err
			}
			defer rows.Close()
			ci := 0
			for rows.Next() {
				s, _, err := scanStored(rows)
				if err != nil {
					return err
				}
				if err := enc.Encode(exportLine{Type: "entry", Stored: &s}); err != nil {
					return err
				}
				n++
				for ci < len(cps) && cps[ci].Seq <= s.Seq {
					if err := enc.Encode(exportLine{Type: "checkpoint", Checkpoint: &cps[ci]}); err != nil {
						return err
					}
					ci++
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		var h Head
		if err := tx.QueryRowContext(ctx, `SELECT head_seq, head_hash FROM audit_state WHERE id = 1`).Scan(&h.Seq, &h.Hash); err != nil {
			return err
		}
		if err := enc.Encode(exportLine{Type: "head", Head: &h}); err != nil {
			return err
		}
		return bw.Flush()
	}()
	if err != nil {
		return n, fmt.Errorf("audit export: %w", err)
	}
	rerr := l.Record(ctx, Entry{Actor: actor, Role: role, Action: AuditExported, Object: "audit_log", Outcome: OK,
		Detail: map[string]string{"from": fromS, "to": toS, "entries": strconv.Itoa(n)}})
	if rerr != nil {
		return n, fmt.Errorf("audit export: written but not audited: %w", rerr)
	}
	return n, nil
}

// VerifyExport checks an extract written by Export without the database:
// the entries must be contiguous, each must match its hash and chain to the
// one before (the first entry's prev_hash is taken as given), and every
// checkpoint must be correctly signed (by a trusted key, if any are given)
// and name the hash the extract holds for its seq. Report.Base is the
// extract's anchor and Report.Head its last entry.
func VerifyExport(r io.Reader, opts VerifyOptions) (*Report, error) {
	dec := json.NewDecoder(r)
	rep := &Report{}
	var entries []Stored
	var cps []Checkpoint
	sawHeader := false
	for line := 1; ; line++ {
		var el exportLine
		err := dec.Decode(&el)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("audit export line %d: %w", line, err)
		}
		switch el.Type {
		case "header":
			if el.Format != ExportFormat {
				return nil, fmt.Errorf("audit export: format %q, want %q", el.Format, ExportFormat)
			}
			sawHeader = true
		case "entry":
			if el.Stored == nil {
				return nil, fmt.Errorf("audit export line %d: entry without fields", line)
			}
			entries = append(entries, *el.Stored)
		case "checkpoint":
			if el.Checkpoint == nil {
				return nil, fmt.Errorf("audit export line %d: checkpoint without fields", line)
			}
			cps = append(cps, *el.Checkpoint)
		case "head":
			// The station's head when exported; later than the extract.
		default:
			return nil, fmt.Errorf("audit export line %d: unknown line type %q", line, el.Type)
		}
	}
	if !sawHeader {
		return nil, errors.New("audit export: no header line: not an audit export")
	}
	if len(entries) == 0 {
		return rep, nil
	}
	rep.Base = Head{Seq: entries[0].Seq - 1, Hash: entries[0].PrevHash}
	w := newWalker(rep.Base, cps, opts, rep)
	for _, s := range entries {
		w.entry(s, "")
	}
	rep.Head = Head{Seq: w.prevSeq, Hash: w.prevHash}
	w.finish(nil)
	return rep, nil
}
