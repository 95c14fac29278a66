// Package client is the station side of the sync protocol: it uploads the
// outbox in signed batches, pulls the outcome of uploaded applications and
// brings the citizen template cache up to date, over HTTPS with mutual TLS.
//
// Delivery is at-least-once and the effect exactly-once: an application is
// marked uploaded only after upstream has answered "stored" or "duplicate"
// for its UUID, and upstream stores each UUID once. A run interrupted at any
// point (kill -9, power cut, dropped link) leaves the station in a state the
// next run continues from: applications still queued are sent again and
// acknowledged as duplicates; a half-downloaded snapshot resumes from its
// cursor. Requests are retried with exponential backoff and full jitter; the
// batch size halves when a batch fails or times out and grows again while
// batches go through quickly, so a slow link still makes progress.
package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

// Config configures a Client.
type Config struct {
	// URL is the upstream base URL, e.g. "https://upstream.example:8443".
	URL string
	// RootCAs verifies the upstream server certificate.
	RootCAs *x509.CertPool
	// UpstreamKey verifies cache pages.
	UpstreamKey ed25519.PublicKey
	// StationID and Signing identify the station; Certificate is its
	// mutual-TLS client certificate (keys.File.ClientCertificate).
	StationID   string
	Signing     ed25519.PrivateKey
	Certificate tls.Certificate

	// BatchSize is the starting number of applications per batch
	// (default 25); MaxBatchSize its ceiling (default 200).
	BatchSize, MaxBatchSize int
	// MaxBatchBytes caps a batch's encoded size (default 16 MiB).
	MaxBatchBytes int
	// PageSize is the number of cache records asked per page (default 2000).
	PageSize int
	// RequestTimeout bounds one HTTP exchange (default 2 minutes).
	RequestTimeout time.Duration
	// Attempts is how often one request is tried before the step fails
	// (default 6); BackoffBase and BackoffMax shape the waits between
	// (default 1 s and 60 s).
	Attempts                int
	BackoffBase, BackoffMax time.Duration
	// MaxClockSkew is the largest difference accepted between the
	// station's clock and upstream's (default 10 minutes).
	MaxClockSkew time.Duration
	// Progress receives one line per event; nil discards them.
	Progress func(format string, args ...any)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (c *Config) defaults() {
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&c.BatchSize, 25)
	def(&c.MaxBatchSize, 200)
	def(&c.MaxBatchBytes, 16<<20)
	def(&c.PageSize, 2000)
	def(&c.Attempts, 6)
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 2 * time.Minute
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = time.Minute
	}
	if c.MaxClockSkew <= 0 {
		c.MaxClockSkew = 10 * time.Minute
	}
	if c.Progress == nil {
		c.Progress = func(string, ...any) {}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.BatchSize = min(c.BatchSize, c.MaxBatchSize, protocol.MaxApplications)
	c.PageSize = min(c.PageSize, protocol.MaxRecords)
}

// Client talks to one upstream.
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	cfg.defaults()
	if cfg.URL == "" || cfg.RootCAs == nil || len(cfg.UpstreamKey) != ed25519.PublicKeySize || cfg.Signing == nil || cfg.StationID == "" {
		return nil, errors.New("sync client: incomplete configuration (URL, CA, upstream key, station key)")
	}
	tr := &http.Transport{
		// Offices behind a proxy set HTTPS_PROXY in the unit's environment.
		Proxy: http.ProxyFromEnvironment,
		TLSClientConfig: &tls.Config{
			MinVersion:   tls.VersionTLS13,
			RootCAs:      cfg.RootCAs,
			Certificates: []tls.Certificate{cfg.Certificate},
		},
		DialContext:           (&net.Dialer{Timeout: 20 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   20 * time.Second,
		ResponseHeaderTimeout: cfg.RequestTimeout,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     false,
	}
	return &Client{cfg: cfg, http: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return errors.New("upstream answered with a redirect: refused")
	}}}, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// PermanentError is a failure retrying cannot fix (a refused signature,
// clock skew, an unknown station, a certificate problem): the run stops and
// a person has to act.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// StatusError is a non-2xx answer.
type StatusError struct {
	Status int
	Code   string
	Msg    string
}

func (e *StatusError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("upstream answered %d %s: %s", e.Status, e.Code, e.Msg)
	}
	return fmt.Sprintf("upstream answered %d: %s", e.Status, e.Msg)
}

func permanent(err error) bool {
	var pe *PermanentError
	return errors.As(err, &pe)
}

// do performs one exchange: method path with body, answering the body of a
// 2xx response of at most limit bytes.
func (c *Client) do(ctx context.Context, method, path string, body []byte, limit int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.cfg.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, &PermanentError{fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Accept", protocol.ContentType)
	req.Header.Set("Dinhdanh-Protocol", protocol.Version)
	if body != nil {
		req.Header.Set("Content-Type", protocol.ContentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, classifyTransport(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read answer to %s %s: %w", method, path, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("answer to %s %s exceeds %d bytes: refused", method, path, limit)
	}
	if resp.StatusCode/100 != 2 {
		e := protocol.DecodeError(data)
		se := &StatusError{Status: resp.StatusCode, Code: e.Code, Msg: e.Message}
		switch {
		case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout:
			return nil, se
		default:
			return nil, &PermanentError{se}
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, protocol.ContentType) {
		return nil, fmt.Errorf("answer to %s %s has content type %q, want %s (a proxy or captive portal?)", method, path, ct, protocol.ContentType)
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		// HTTP dates have one-second resolution.
		if err := protocol.CheckClock(d, c.cfg.Now(), c.cfg.MaxClockSkew+time.Second); err != nil {
			return nil, &PermanentError{err}
		}
	}
	return data, nil
}

func classifyTransport(err error) error {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &ci):
		return &PermanentError{fmt.Errorf("upstream certificate refused: %w", err)}
	case strings.Contains(err.Error(), "tls: bad certificate"), strings.Contains(err.Error(), "certificate required"),
		strings.Contains(err.Error(), "tls: unknown certificate"):
		return &PermanentError{fmt.Errorf("upstream refused the station certificate (expired, or station not enrolled): %w", err)}
	}
	return fmt.Errorf("upstream unreachable: %w", err)
}

// retry runs fn until it succeeds, fails permanently, the context ends or
// the attempts are used up, sleeping with exponential backoff and full
// jitter in between.
func (c *Client) retry(ctx context.Context, what string, fn func() error) error {
	var err error
	for attempt := 0; attempt < c.cfg.Attempts; attempt++ {
		if err = fn(); err == nil || permanent(err) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if attempt == c.cfg.Attempts-1 {
			break
		}
		if err := c.backoff(ctx, attempt, what, err); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: giving up after %d attempts: %w", what, c.cfg.Attempts, err)
}

// backoff sleeps before retry number attempt+1: exponential with full
// jitter, so the stations of a province do not retry in step.
func (c *Client) backoff(ctx context.Context, attempt int, what string, cause error) error {
	wait := c.cfg.BackoffBase << attempt
	if wait > c.cfg.BackoffMax || wait <= 0 {
		wait = c.cfg.BackoffMax
	}
	wait = time.Duration(rand.Int64N(int64(wait)) + 1)
	c.cfg.Progress("%s failed (%v); retry %d/%d in %s", what, cause, attempt+1, c.cfg.Attempts-1, wait.Round(time.Millisecond))
	select {
	case <-time.After(wait):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
