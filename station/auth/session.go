package auth

import (
	"sync"
	"time"
)

// Session is a logged-in user at the desk. It ends after IdleTimeout
// without activity; Warn reports when the last WarnBefore of that period
// has begun, so the screen can ask "still there?".
type Session struct {
	User        User
	Started     time.Time
	IdleTimeout time.Duration
	WarnBefore  time.Duration

	mu         sync.Mutex
	lastActive time.Time
	ended      bool
}

// NewSession starts a session for u at now. Zero durations mean a 10-minute
// idle timeout with a 1-minute warning.
func NewSession(u User, now time.Time, idle, warn time.Duration) *Session {
	if idle <= 0 {
		idle = 10 * time.Minute
	}
	if warn <= 0 || warn >= idle {
		warn = idle / 10
		if warn > time.Minute {
			warn = time.Minute
		}
	}
	return &Session{User: u, Started: now, IdleTimeout: idle, WarnBefore: warn, lastActive: now}
}

// Touch records activity (a key press, a click, a device event).
func (s *Session) Touch(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended && now.After(s.lastActive) {
		s.lastActive = now
	}
}

// IdleState is what a session's idle check finds.
type IdleState int

// Idle states.
const (
	Active IdleState = iota
	Warning
	Expired
)

// Check returns the state at now and the time left before logout.
func (s *Session) Check(now time.Time) (IdleState, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return Expired, 0
	}
	left := s.lastActive.Add(s.IdleTimeout).Sub(now)
	switch {
	case left <= 0:
		s.ended = true
		return Expired, 0
	case left <= s.WarnBefore:
		return Warning, left
	}
	return Active, left
}

// End logs the session out.
func (s *Session) End() {
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
}
