// Package logging builds the station's structured logger: log/slog with a
// handler that keeps personal data out of the log.
//
// ID numbers and biometrics are sensitive personal data, and log files get
// copied to support desks and attached to tickets. So the handler rewrites
// every message, string attribute and error text, replacing runs of 9 or 12
// digits (old CMND and new CCCD numbers) and MRZ lines with a redaction
// mark, and withholds byte slices, images and attributes whose key names
// biometric or document data altogether. Redacting at the sink means one
// careless log call cannot leak: callers still should not try.
package logging

import (
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Redacted replaces an ID number in log text.
const Redacted = "[ID]"

// Withheld replaces a value that is never logged.
const Withheld = "[withheld]"

var (
	// 9 or 12 digits not inside a longer run of digits.
	idPattern = regexp.MustCompile(`(^|[^0-9])([0-9]{12}|[0-9]{9})([^0-9]|$)`)
	// A TD1/TD3 MRZ line: 30 or 44 characters of A-Z, 0-9 and '<' with at
	// least two fillers.
	mrzPattern = regexp.MustCompile(`[A-Z0-9<]*<[A-Z0-9<]*<[A-Z0-9<]*`)
)

// sensitiveKeys are attribute keys whose values are withheld whatever they
// hold. Matching is on the lower-cased key containing the word.
var sensitiveKeys = []string{"portrait", "photo", "image", "template", "descriptor", "minutiae", "fingerprint", "biometric", "mrz", "dg1", "dg2", "dg13", "cccd", "cmnd", "id_number", "idnumber", "citizen_id", "password", "secret", "key_material"}

// RedactString masks ID numbers and MRZ lines in s.
func RedactString(s string) string {
	if !strings.ContainsAny(s, "0123456789<") {
		return s
	}
	// Two passes: adjacent IDs share their separator and one pass skips
	// the second.
	for i := 0; i < 2; i++ {
		s = idPattern.ReplaceAllString(s, "${1}"+Redacted+"${3}")
	}
	return mrzPattern.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) >= 28 {
			return "[MRZ]"
		}
		return m
	})
}

// Handler wraps another slog.Handler and redacts every record.
type Handler struct {
	next slog.Handler
}

// NewHandler returns a redacting handler over next.
func NewHandler(next slog.Handler) *Handler { return &Handler{next: next} }

// Enabled reports whether the wrapped handler handles level.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle redacts the message and attributes, then passes the record on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, RedactString(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attrs before binding them.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactAttr(a)
	}
	return &Handler{next: h.next.WithAttrs(red)}
}

// WithGroup opens a group on the wrapped handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	key := strings.ToLower(a.Key)
	for _, s := range sensitiveKeys {
		if strings.Contains(key, s) {
			return slog.String(a.Key, Withheld)
		}
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, RedactString(v.String()))
	case slog.KindInt64, slog.KindUint64:
		s := v.String()
		if RedactString(s) != s {
			return slog.String(a.Key, Redacted)
		}
		return slog.Attr{Key: a.Key, Value: v}
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, ga := range g {
			red[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case []byte:
			return slog.String(a.Key, fmt.Sprintf("%s %d bytes", Withheld, len(x)))
		case image.Image:
			return slog.String(a.Key, Withheld+" image")
		case error:
			return slog.String(a.Key, RedactString(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, RedactString(x.String()))
		default:
			return slog.String(a.Key, RedactString(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// New returns a redacting text logger writing to w at level ("debug",
// "info", "warn" or "error").
func New(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(NewHandler(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})))
}

// Open returns a redacting logger writing to file (appending, mode 0600),
// or to standard error when file is empty, and a function that closes it.
func Open(file, level string) (*slog.Logger, func() error, error) {
	if file == "" {
		return New(os.Stderr, level), func() error { return nil }, nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, nil, fmt.Errorf("open log file: %w", err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log file: %w", err)
	}
	return New(f, level), f.Close, nil
}
