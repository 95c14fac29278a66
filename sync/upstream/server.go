// Package upstream is a reference implementation of the upstream side of
// the sync protocol (sync/protocol, sync/openapi.yaml): a real HTTPS server
// with mutual TLS and its own SQLite database, which tests start on
// loopback and which "station upstream serve" runs for demos. Switches
// (Faults) make it misbehave the ways real links and servers do.
package upstream

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Server is the reference upstream.
type Server struct {
	db *store.DB
	id *Identity
	// MaxSkew is how far a batch's creation time may be from the server
	// clock.
	MaxSkew time.Duration
	// ErrorLog receives connection-level errors (TLS handshakes refused,
	// connections dropped); nil discards them.
	ErrorLog *log.Logger

	mu     sync.Mutex
	faults Faults
	now    func() time.Time
}

// Open opens (creating) the server database at path.
func Open(ctx context.Context, path string, id *Identity) (*Server, error) {
	db, err := store.Open(ctx, path, store.Options{SkipMigrations: true})
	if err != nil {
		return nil, fmt.Errorf("upstream database: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return &Server{db: db, id: id, MaxSkew: 15 * time.Minute, now: time.Now, ErrorLog: log.New(io.Discard, "", 0)}, nil
}

func migrate(ctx context.Context, db *store.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS upstream_migrations (version TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("upstream migrate: %w", err)
	}
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	for _, n := range names {
		var x string
		if db.QueryRowContext(ctx, `SELECT version FROM upstream_migrations WHERE version = ?`, n).Scan(&x) == nil {
			continue
		}
		body, _ := migrations.ReadFile(n)
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO upstream_migrations(version) VALUES (?)`, n)
			return err
		}); err != nil {
			return fmt.Errorf("upstream migrate %s: %w", n, err)
		}
	}
	return nil
}

// Close closes the database.
func (s *Server) Close() error { return s.db.Close() }

// Identity returns the server's key material.
func (s *Server) Identity() *Identity { return s.id }

// Enrol registers a station and the Ed25519 public key of its key file,
// replacing an earlier key of the same station.
func (s *Server) Enrol(ctx context.Context, stationID string, pub ed25519.PublicKey) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO stations(station_id, public_key, enrolled_at) VALUES (?, ?, ?)
		ON CONFLICT(station_id) DO UPDATE SET public_key = excluded.public_key, enrolled_at = excluded.enrolled_at`,
		stationID, []byte(pub), time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("enrol %s: %w", stationID, err)
	}
	return nil
}

func (s *Server) stationKey(ctx context.Context, stationID string) (ed25519.PublicKey, error) {
	var k []byte
	err := s.db.QueryRowContext(ctx, `SELECT public_key FROM stations WHERE station_id = ?`, stationID).Scan(&k)
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(k), nil
}

// TLSConfig is the server side of mutual TLS: the server certificate, and a
// client certificate required to be within its validity and to carry the
// enrolled key of the station it names.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{s.id.ServerCert},
		ClientAuth:   tls.RequireAnyClientCert,
		NextProtos:   []string{"http/1.1"},
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no client certificate")
			}
			c, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			now := s.clock()
			if now.After(c.NotAfter) || now.Before(c.NotBefore) {
				return fmt.Errorf("station certificate of %s expired or not yet valid", c.Subject.CommonName)
			}
			pub, ok := c.PublicKey.(ed25519.PublicKey)
			if !ok {
				return errors.New("station certificate key is not Ed25519")
			}
			want, err := s.stationKey(context.Background(), c.Subject.CommonName)
			if err != nil || !pub.Equal(want) {
				return fmt.Errorf("station %q is not enrolled with this key", c.Subject.CommonName)
			}
			return nil
		},
	}
}

func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now().Add(s.faults.ClockSkew)
}

// Running is a started server.
type Running struct {
	URL  string
	srv  *http.Server
	done chan struct{}
}

// Close stops the server, cutting open connections.
func (r *Running) Close() error {
	err := r.srv.Close()
	<-r.done
	return err
}

// Start serves HTTPS on addr (e.g. "127.0.0.1:0").
func (s *Server) Start(addr string) (*Running, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("upstream listen: %w", err)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		TLSConfig:         s.TLSConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		TLSNextProto:      map[string]func(*http.Server, *tls.Conn, http.Handler){}, // HTTP/1.1 only
		ErrorLog:          s.ErrorLog,
	}
	r := &Running{URL: "https://" + ln.Addr().String(), srv: srv, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		srv.ServeTLS(ln, "", "")
	}()
	return r, nil
}

// Handler returns the HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/batches", s.handleBatch)
	mux.HandleFunc("POST /v1/status", s.handleStatus)
	mux.HandleFunc("GET /v1/cache/delta", s.handleDelta)
	mux.HandleFunc("GET /v1/cache/snapshot", s.handleSnapshot)
	return s.withFaults(mux)
}

func peerStation(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return ""
	}
	return r.TLS.PeerCertificates[0].Subject.CommonName
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", protocol.ContentType)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(protocol.ErrorBody{Error: protocol.ErrorDetail{Code: code, Message: msg}})
}

func (s *Server) writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", protocol.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, protocol.ContentType) {
		writeError(w, http.StatusUnsupportedMediaType, protocol.ErrCodeBadRequest, "content type must be "+protocol.ContentType)
		return nil, false
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, protocol.ErrCodeBadRequest, "body: "+err.Error())
		return nil, false
	}
	return b, true
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if s.takeFault(&s.faults.DropBeforeCommit) {
		// The link breaks halfway through the upload.
		io.CopyN(io.Discard, r.Body, max(r.ContentLength/2, 1))
		hangUp(w)
		return
	}
	body, ok := readBody(w, r, protocol.MaxEnvelopeBytes)
	if !ok {
		return
	}
	env, err := protocol.DecodeEnvelope(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, protocol.ErrCodeBadRequest, err.Error())
		return
	}
	station := peerStation(r)
	if env.Signer != station {
		writeError(w, http.StatusForbidden, protocol.ErrCodeUnknownStation, "batch signed by another station than the TLS peer")
		return
	}
	pub, err := s.stationKey(ctx, station)
	if err != nil {
		writeError(w, http.StatusForbidden, protocol.ErrCodeUnknownStation, "station not enrolled")
		return
	}
	_, payload, err := protocol.Open(body, protocol.KindBatch, pub)
	if err != nil {
		code := protocol.ErrCodeBadRequest
		if errors.Is(err, protocol.ErrBadSignature) {
			code = protocol.ErrCodeBadSignature
		}
		writeError(w, http.StatusBadRequest, code, err.Error())
		return
	}
	b, err := protocol.DecodeBatch(payload)
	if err != nil {
		writeError(w, http.StatusBadRequest, protocol.ErrCodeBadRequest, err.Error())
		return
	}
	if b.StationID != station {
		writeError(w, http.StatusForbidden, protocol.ErrCodeUnknownStation, "batch names another station")
		return
	}
	now := s.clock()
	if err := protocol.CheckClock(b.CreatedAt, now, s.MaxSkew); err != nil {
		writeError(w, http.StatusBadRequest, protocol.ErrCodeClockSkew, err.Error())
		return
	}
	s.mu.Lock()
	slow := s.faults.SlowPerApplication * time.Duration(len(b.Applications))
	s.mu.Unlock()
	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-ctx.Done():
			return
		}
	}
	res, err := s.storeBatch(ctx, station, b, sha256.Sum256(payload), now)
	if errors.Is(err, errReplay) {
		writeError(w, http.StatusConflict, protocol.ErrCodeReplay, err.Error())
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, protocol.ErrCodeInternal, "store batch failed")
		return
	}
	s.mu.Lock()
	hold := s.faults.DelayAfterCommit
	s.mu.Unlock()
	if hold > 0 {
		time.Sleep(hold)
	}
	if s.takeFault(&s.faults.DropAfterCommit) {
		hangUp(w)
		return
	}
	if s.fault(func(f *Faults) bool { return f.DuplicateResults }) {
		res.Results = append(res.Results, res.Results...)
	}
	s.writeJSON(w, res)
}

var errReplay = errors.New("batch ID already used with other content")

// storeBatch stores a batch's applications in one transaction: each UUID is
// stored once; the same UUID with the same content is a duplicate (a retry),
// with other content a conflict that changes nothing.
func (s *Server) storeBatch(ctx context.Context, station string, b *protocol.Batch, payloadHash [32]byte, now time.Time) (*protocol.BatchResult, error) {
	res := &protocol.BatchResult{BatchID: b.BatchID, ServerTime: now.UTC()}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res.Results = res.Results[:0]
		var prev []byte
		err := tx.QueryRowContext(ctx, `SELECT payload_hash FROM batches WHERE batch_id = ?`, b.BatchID).Scan(&prev)
		switch {
		case err == nil && !bytes.Equal(prev, payloadHash[:]):
			return errReplay
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO batches(batch_id, station_id, payload_hash, received_at) VALUES (?, ?, ?, ?)`,
				b.BatchID, station, payloadHash[:], now.UTC().Format(time.RFC3339Nano)); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		for i := range b.Applications {
			a := &b.Applications[i]
			content, _ := json.Marshal(a)
			h := sha256.Sum256(content)
			var have []byte
			err := tx.QueryRowContext(ctx, `SELECT content_hash FROM applications WHERE uuid = ?`, a.UUID).Scan(&have)
			switch {
			case err == nil && bytes.Equal(have, h[:]):
				res.Results = append(res.Results, protocol.UploadResult{UUID: a.UUID, Status: protocol.StatusDuplicate})
			case err == nil:
				res.Results = append(res.Results, protocol.UploadResult{UUID: a.UUID, Status: protocol.StatusConflict,
					Reason: "this UUID was uploaded before with different content"})
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.ExecContext(ctx, `INSERT INTO applications(uuid, station_id, batch_id, content_hash, content, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
					a.UUID, station, b.BatchID, h[:], content, now.UTC().Format(time.RFC3339Nano)); err != nil {
					return err
				}
				res.Results = append(res.Results, protocol.UploadResult{UUID: a.UUID, Status: protocol.StatusStored})
			default:
				return err
			}
		}
		return nil
	})
	return res, err
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, ok := readBody(w, r, protocol.MaxResponseBytes)
	if !ok {
		return
	}
	req, err := protocol.DecodeStatusRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, protocol.ErrCodeBadRequest, err.Error())
		return
	}
	station := peerStation(r)
	resp := &protocol.StatusResponse{ServerTime: s.clock().UTC()}
	for _, u := range req.UUIDs {
		st, err := s.decide(ctx, station, u)
		if err != nil {
			writeError(w, http.StatusInternalServerError, protocol.ErrCodeInternal, "status lookup failed")
			return
		}
		resp.Statuses = append(resp.Statuses, st)
	}
	if s.fault(func(f *Faults) bool { return f.DuplicateResults }) {
		resp.Statuses = append(resp.Statuses, resp.Statuses...)
	}
	s.writeJSON(w, resp)
}

// decide returns an application's outcome, deciding pending ones: the
// reference policy accepts an application whose checks all passed and
// rejects one with a failed check, naming it.
func (s *Server) decide(ctx context.Context, station, uuid string) (protocol.Status, error) {
	st := protocol.Status{UUID: uuid, Outcome: protocol.OutcomeUnknown}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var content []byte
		var owner, outcome, reason string
		err := tx.QueryRowContext(ctx, `SELECT station_id, content, outcome, reason FROM applications WHERE uuid = ?`, uuid).Scan(&owner, &content, &outcome, &reason)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != station) {
			return nil
		}
		if err != nil {
			return err
		}
		if outcome == protocol.OutcomePending {
			var a protocol.Application
			if err := json.Unmarshal(content, &a); err != nil {
				return err
			}
			outcome = protocol.OutcomeAccepted
			for _, c := range a.Checks {
				if !c.Passed {
					outcome, reason = protocol.OutcomeRejected, "verification check "+c.Name+" failed"
					break
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE applications SET outcome = ?, reason = ?, decided_at = ? WHERE uuid = ?`,
				outcome, reason, time.Now().UTC().Format(time.RFC3339), uuid); err != nil {
				return err
			}
		}
		st.Outcome, st.Reason = outcome, reason
		return nil
	})
	return st, err
}

// signPage signs a cache page, corrupting the signature if the fault is on.
func (s *Server) signPage(kind string, p *protocol.CachePage) ([]byte, error) {
	b, err := protocol.Sign(kind, "upstream", s.id.Signing, p)
	if err != nil {
		return nil, err
	}
	if s.fault(func(f *Faults) bool { return f.BadDeltaSignature }) {
		var env protocol.Envelope
		json.Unmarshal(b, &env)
		env.Signature[0] ^= 0xff
		b, _ = json.Marshal(env)
	}
	return b, nil
}

func queryInt(r *http.Request, name string, def, max int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > max {
		return 0, fmt.Errorf("bad %s", name)
	}
	return n, nil
}

func (s *Server) meta(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v, err
}

func (s *Server) handleDelta(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	since, err1 := queryInt(r, "since", 0, 1<<62)
	limit, err2 := queryInt(r, "limit", 1000, protocol.MaxRecords)
	if err1 != nil || err2 != nil || limit == 0 {
		writeError(w, http.StatusBadRequest, protocol.ErrCodeBadRequest, "since and limit must be integers in range")
		return
	}
	var page protocol.CachePage
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.meta(ctx, tx, "cache_version")
		if err != nil {
			return err
		}
		minv, err := s.meta(ctx, tx, "min_delta_version")
		if err != nil {
			return err
		}
		if since == 0 || since < minv || since > cur {
			return errSnapshot
		}
		rows, err := tx.QueryContext(ctx, `SELECT record, version, deleted FROM citizens WHERE version > ? ORDER BY version LIMIT ?`, since, limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		page = protocol.CachePage{StationID: peerStation(r), From: since, To: cur, IssuedAt: s.clock().UTC()}
		for rows.Next() {
			var rec []byte
			var ver int64
			var del bool
			if err := rows.Scan(&rec, &ver, &del); err != nil {
				return err
			}
			if int64(len(page.Records)) == limit {
				page.More = true
				page.To = page.Records[len(page.Records)-1].Version
				break
			}
			c, err := recordAt(rec, ver, del)
			if err != nil {
				return err
			}
			page.Records = append(page.Records, c)
		}
		return rows.Err()
	})
	if errors.Is(err, errSnapshot) {
		writeError(w, http.StatusGone, protocol.ErrCodeSnapshotRequired, "no delta from this version: fetch a snapshot")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, protocol.ErrCodeInternal, "delta failed")
		return
	}
	if s.fault(func(f *Faults) bool { return f.DuplicateResults }) {
		page.Records = append(page.Records, page.Records...)
	}
	b, err := s.signPage(protocol.KindDelta, &page)
	if err != nil {
		writeError(w, http.StatusInternalServerError, protocol.ErrCodeInternal, "sign failed")
		return
	}
	w.Header().Set("Content-Type", protocol.ContentType)
	w.Write(b)
}

var errSnapshot = errors.New("snapshot required")

func recordAt(rec []byte, ver int64, del bool) (protocol.Citizen, error) {
	var c protocol.Citizen
	if err := json.Unmarshal(rec, &c); err != nil {
		return c, err
	}
	c.Version = ver
	if del {
		c = protocol.Citizen{IDNumber: c.IDNumber, Version: ver, Deleted: true}
	}
	return c, nil
}

func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	after, err1 := queryInt(r, "after", 0, 1<<40)
	limit, err2 := queryInt(r, "limit", 1000, protocol.MaxRecords)
	want, err3 := queryInt(r, "version", 0, 1<<62)
	if err1 != nil || err2 != nil || err3 != nil || limit == 0 {
		writeError(w, http.StatusBadRequest, protocol.ErrCodeBadRequest, "after, limit and version must be integers in range")
		return
	}
	var page protocol.CachePage
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.meta(ctx, tx, "cache_version")
		if err != nil {
			return err
		}
		if want != 0 && want != cur {
			return errSnapshot
		}
		page = protocol.CachePage{StationID: peerStation(r), To: cur, IssuedAt: s.clock().UTC()}
		if after > 0 {
			page.After = strconv.FormatInt(after, 10)
		}
		rows, err := tx.QueryContext(ctx, `SELECT record, version FROM citizens WHERE deleted = 0 ORDER BY id_number LIMIT ? OFFSET ?`, limit+1, after)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rec []byte
			var ver int64
			if err := rows.Scan(&rec, &ver); err != nil {
				return err
			}
			if int64(len(page.Records)) == limit {
				page.Next = strconv.FormatInt(after+limit, 10)
				break
			}
			c, err := recordAt(rec, ver, false)
			if err != nil {
				return err
			}
			page.Records = append(page.Records, c)
		}
		return rows.Err()
	})
	if errors.Is(err, errSnapshot) {
		writeError(w, http.StatusGone, protocol.ErrCodeSnapshotRequired, "the cache changed during the snapshot: restart it")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, protocol.ErrCodeInternal, "snapshot failed")
		return
	}
	b, err := s.signPage(protocol.KindSnapshot, &page)
	if err != nil {
		writeError(w, http.StatusInternalServerError, protocol.ErrCodeInternal, "sign failed")
		return
	}
	w.Header().Set("Content-Type", protocol.ContentType)
	w.Write(b)
}
