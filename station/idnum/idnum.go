// Package idnum handles the 12-digit citizen ID number (CCCD / personal
// identification number) as the station must show and record it: masked.
//
// The full number is personal data. It may be stored where the work needs
// it (the application, the template cache) but never written to logs, audit
// entries, diagnostics or screens that do not need it. Mask is the one
// function every part of the station uses to turn a number into something
// safe to show.
package idnum

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Len is the number of digits in a citizen ID number.
const Len = 12

// ErrInvalid is returned by Parse for text that is not a 12-digit ID number.
var ErrInvalid = errors.New("not a 12-digit ID number")

// Valid reports whether s is exactly 12 ASCII digits.
func Valid(s string) bool {
	if len(s) != Len {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Parse trims spaces and returns s if it is a 12-digit ID number. The error
// never repeats the input, which may be a real number typed wrongly.
func Parse(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !Valid(s) {
		return "", fmt.Errorf("parse ID number (%d characters): %w", len(s), ErrInvalid)
	}
	return s, nil
}

// Mask returns the ID number with its middle hidden.
//
// The rule: a 12-digit number keeps its first 3 digits (province code of
// birth registration, not identifying on its own) and its last 3 digits, so
// an officer can tell two numbers on screen apart; the 6 digits in between,
// which encode sex, century, birth year and the start of the random part,
// become '*'. "001203004567" → "001******567".
//
// Anything else (a 9-digit old CMND number, a typo, a document number) keeps
// at most its last 2 characters and has every other character replaced by
// '*', so Mask is safe to call on any input and never reveals more than 2
// characters of a string it does not recognise. The empty string stays empty.
func Mask(s string) string {
	if Valid(s) {
		return s[:3] + "******" + s[9:]
	}
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	keep := 2
	if len(r) <= 4 {
		keep = 0
	}
	out := make([]rune, len(r))
	for i := range r {
		if i >= len(r)-keep {
			out[i] = r[i]
		} else {
			out[i] = '*'
		}
	}
	return string(out)
}

var (
	// tokens are maximal runs of ASCII letters and digits.
	tokens = regexp.MustCompile(`[0-9A-Za-z]+`)
	uuids  = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
)

// MaskAll masks every number of 9 or more digits found in free text, so a
// message or detail that happens to contain an ID number can be recorded.
// A 12-digit number is masked with Mask; other lengths keep only their last
// 2 digits. Digits are left alone where they are part of something else: a
// UUID, a word made only of hex digits (a hash, a key ID), or the fraction
// after a digit and a '.' ("0.93123456789", "09:41:22.123456789Z"). A run of
// digits inside any other word ("ID001203004567") is masked.
func MaskAll(s string) string {
	spans := numberSpans(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(Mask(s[sp[0]:sp[1]]))
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// Contains reports whether s holds a number that MaskAll would hide.
func Contains(s string) bool { return len(numberSpans(s)) > 0 }

func numberSpans(s string) [][2]int {
	protected := uuids.FindAllStringIndex(s, -1)
	var out [][2]int
	for _, t := range tokens.FindAllStringIndex(s, -1) {
		tok := s[t[0]:t[1]]
		if len(tok) < 9 || (!allDigits(tok) && allHex(tok)) {
			continue
		}
		for _, r := range digitRuns.FindAllStringIndex(tok, -1) {
			sp := [2]int{t[0] + r[0], t[0] + r[1]}
			if sp[0] > 0 && s[sp[0]-1] == '.' && sp[0] >= 2 && s[sp[0]-2] >= '0' && s[sp[0]-2] <= '9' {
				continue // the fraction of a decimal number or a timestamp
			}
			inUUID := false
			for _, u := range protected {
				if sp[0] >= u[0] && sp[1] <= u[1] {
					inUUID = true
					break
				}
			}
			if !inUUID {
				out = append(out, sp)
			}
		}
	}
	return out
}

var digitRuns = regexp.MustCompile(`[0-9]{9,}`)

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
