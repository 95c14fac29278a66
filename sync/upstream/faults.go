package upstream

import (
	"net/http"
	"strings"
	"time"
)

// Faults are switches that make the server misbehave, for tests and demos.
// Counters fire on that many of the next matching requests, then reset.
type Faults struct {
	// DropBeforeCommit hangs up on the next N batch uploads halfway
	// through reading them: nothing is stored.
	DropBeforeCommit int
	// DropAfterCommit stores the next N batches, then hangs up without an
	// answer: the station must retry and be told "duplicate".
	DropAfterCommit int
	// DelayAfterCommit holds the answer to a stored batch back this long:
	// the window in which a killed station has been stored upstream but
	// has not yet marked anything.
	DelayAfterCommit time.Duration
	// SlowPerApplication holds a batch back this long per application
	// before storing it: a link whose bandwidth makes big batches time out.
	SlowPerApplication time.Duration
	// Status500 answers the next N requests (any endpoint) with 500.
	Status500 int
	// Delay holds every answer back this long (a slow link).
	Delay time.Duration
	// DuplicateResults lists every upload result and status twice and
	// repeats every delta record.
	DuplicateResults bool
	// BadDeltaSignature corrupts the signature of cache pages.
	BadDeltaSignature bool
	// Malformed answers the next N requests with a 200 of broken JSON.
	Malformed int
	// Oversized answers the next N requests with a 200 of 64 MiB + 1.
	Oversized int
	// WrongContentType answers the next N requests with a text/html 200.
	WrongContentType int
	// ClockSkew shifts the server's clock (server_time, issued_at and
	// certificate checks).
	ClockSkew time.Duration
}

// SetFaults replaces the fault switches.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// takeFault decrements a counter and reports whether it fired.
func (s *Server) takeFault(n *int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *n > 0 {
		*n--
		return true
	}
	return false
}

func (s *Server) fault(pred func(*Faults) bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return pred(&s.faults)
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		delay := s.faults.Delay
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		switch {
		case s.takeFault(&s.faults.Status500):
			writeError(w, http.StatusInternalServerError, "internal", "injected failure")
		case s.takeFault(&s.faults.Malformed):
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"batch_id": "x", "results": [`))
		case s.takeFault(&s.faults.Oversized):
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat(" ", 1<<20))
			for i := 0; i < 64; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			w.Write([]byte("{}"))
		case s.takeFault(&s.faults.WrongContentType):
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Captive portal: please log in</body></html>"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}
