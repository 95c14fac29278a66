package logging

import (
	"bytes"
	"errors"
	"image"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"citizen 001203004567 read", "citizen [ID] read"},
		{"001203004567", "[ID]"},
		{"old id 123456789.", "old id [ID]."},
		{"two 001203004567,079199001234", "two [ID],[ID]"},
		{"count 1234567890123 rows", "count 1234567890123 rows"}, // 13 digits: not an ID
		{"port 8443 took 15ms", "port 8443 took 15ms"},
		{"IDVNM2030045670001203004567<<8", "[MRZ]"},
		{"plain text", "plain text"},
	} {
		if got := RedactString(tc.in); got != tc.want {
			t.Errorf("RedactString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHandlerRedacts(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "debug").With("citizen", "001203004567")
	log.Info("matched 079199001234",
		"portrait", []byte{1, 2, 3},
		"raw", []byte("abc"),
		"img", image.NewGray(image.Rect(0, 0, 2, 2)),
		"err", errors.New("no row for 001203004567"),
		"count", int64(1203004567),
		"cccd", int64(1203004567),
		slog.Group("card", "number", "001203004567", "template", "xyz"),
		"score", 0.93,
	)
	out := buf.String()
	for _, leak := range []string{"001203004567", "079199001234", "xyz", "abc"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	for _, want := range []string{"matched [ID]", "portrait=[withheld]", "score=0.93", "count=1203004567", "cccd=[withheld]", "card.template=[withheld]"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
