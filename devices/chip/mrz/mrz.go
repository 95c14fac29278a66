// Package mrz parses machine readable zones (ICAO 9303 parts 4-6): TD1 cards
// such as the Vietnamese CCCD and TD3 passports, with every check digit.
package mrz

import (
	"errors"
	"fmt"
	"strings"
)

// MRZ holds the fields of a machine readable zone. Text fields keep the
// MRZ's own spelling with filler '<' removed; dates are YYMMDD.
type MRZ struct {
	Format         string // "TD1" or "TD3"
	DocumentCode   string
	Issuer         string
	DocumentNumber string
	DateOfBirth    string
	Sex            string
	DateOfExpiry   string
	Nationality    string
	Surname        string
	GivenNames     string
	Optional1      string
	Optional2      string
	// IDNumber is the 12-digit citizen ID number of a Vietnamese CCCD
	// (TD1 line 1 positions 16-27); empty for other documents.
	IDNumber string
}

// CheckDigit computes the ICAO 9303 check digit of s: weights 7,3,1; digits
// count as themselves, A-Z as 10-35 and '<' as 0.
func CheckDigit(s string) (byte, error) {
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
		default:
			return 0, fmt.Errorf("mrz: character %q not allowed", c)
		}
		sum += v * w[i%3]
	}
	return byte('0' + sum%10), nil
}

// Parse reads a TD1 (3×30) or TD3 (2×44) MRZ given as lines separated by
// newlines, or as one string of 90 or 88 characters. Spaces are ignored.
func Parse(s string) (*MRZ, error) {
	s = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' {
			return -1
		}
		return r
	}, s))
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	if len(lines) == 1 {
		switch len(s) {
		case 90:
			lines = []string{s[:30], s[30:60], s[60:]}
		case 88:
			lines = []string{s[:44], s[44:]}
		}
	}
	for _, l := range lines {
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '<') {
				return nil, fmt.Errorf("mrz: character %q not allowed", c)
			}
		}
	}
	switch {
	case len(lines) == 3 && len(lines[0]) == 30 && len(lines[1]) == 30 && len(lines[2]) == 30:
		return parseTD1(lines)
	case len(lines) == 2 && len(lines[0]) == 44 && len(lines[1]) == 44:
		return parseTD3(lines)
	}
	return nil, errors.New("mrz: want 3 lines of 30 characters (TD1) or 2 lines of 44 (TD3)")
}

func parseTD1(l []string) (*MRZ, error) {
	m := &MRZ{
		Format:         "TD1",
		DocumentCode:   trim(l[0][0:2]),
		Issuer:         trim(l[0][2:5]),
		DocumentNumber: trim(l[0][5:14]),
		Optional1:      trim(l[0][15:30]),
		DateOfBirth:    l[1][0:6],
		Sex:            trim(l[1][7:8]),
		DateOfExpiry:   l[1][8:14],
		Nationality:    trim(l[1][15:18]),
		Optional2:      trim(l[1][18:29]),
	}
	m.Surname, m.GivenNames = names(l[2])
	checks := []check{
		{"document number", l[0][5:14], l[0][14]},
		{"date of birth", l[1][0:6], l[1][6]},
		{"date of expiry", l[1][8:14], l[1][14]},
		{"composite", l[0][5:30] + l[1][0:7] + l[1][8:15] + l[1][18:29], l[1][29]},
	}
	if m.Issuer == "VNM" && isDigits(l[0][15:27]) {
		m.IDNumber = l[0][15:27]
		checks = append(checks, check{"ID number", l[0][15:27], l[0][29]})
	}
	if err := verify(checks); err != nil {
		return nil, err
	}
	return m, validateDates(m)
}

func parseTD3(l []string) (*MRZ, error) {
	m := &MRZ{
		Format:         "TD3",
		DocumentCode:   trim(l[0][0:2]),
		Issuer:         trim(l[0][2:5]),
		DocumentNumber: trim(l[1][0:9]),
		Nationality:    trim(l[1][10:13]),
		DateOfBirth:    l[1][13:19],
		Sex:            trim(l[1][20:21]),
		DateOfExpiry:   l[1][21:27],
		Optional1:      trim(l[1][28:42]),
	}
	m.Surname, m.GivenNames = names(l[0][5:44])
	checks := []check{
		{"document number", l[1][0:9], l[1][9]},
		{"date of birth", l[1][13:19], l[1][19]},
		{"date of expiry", l[1][21:27], l[1][27]},
		{"composite", l[1][0:10] + l[1][13:20] + l[1][21:43], l[1][43]},
	}
	// An empty personal number may carry '<' instead of a check digit.
	if strings.Trim(l[1][28:43], "<") != "" {
		checks = append(checks, check{"personal number", l[1][28:42], l[1][42]})
	}
	if err := verify(checks); err != nil {
		return nil, err
	}
	return m, validateDates(m)
}

type check struct {
	what, field string
	digit       byte
}

func verify(checks []check) error {
	for _, c := range checks {
		d, err := CheckDigit(c.field)
		if err != nil {
			return err
		}
		if d != c.digit {
			return fmt.Errorf("mrz: %s check digit is %q, computed %q", c.what, c.digit, d)
		}
	}
	return nil
}

func validateDates(m *MRZ) error {
	if !ValidDate(m.DateOfBirth) {
		return fmt.Errorf("mrz: date of birth %q is not YYMMDD", m.DateOfBirth)
	}
	if !ValidDate(m.DateOfExpiry) {
		return fmt.Errorf("mrz: date of expiry %q is not YYMMDD", m.DateOfExpiry)
	}
	return nil
}

// ValidDate reports whether s is a plausible YYMMDD date.
func ValidDate(s string) bool {
	if len(s) != 6 || !isDigits(s) {
		return false
	}
	mm := int(s[2]-'0')*10 + int(s[3]-'0')
	dd := int(s[4]-'0')*10 + int(s[5]-'0')
	return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31
}

func names(s string) (surname, given string) {
	parts := strings.SplitN(s, "<<", 2)
	surname = strings.ReplaceAll(strings.Trim(parts[0], "<"), "<", " ")
	if len(parts) == 2 {
		given = strings.Join(strings.Fields(strings.ReplaceAll(parts[1], "<", " ")), " ")
	}
	return surname, given
}

func trim(s string) string { return strings.TrimRight(s, "<") }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
