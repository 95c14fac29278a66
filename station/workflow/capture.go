package workflow

import (
	"errors"
	"fmt"
	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"image"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// MRZKey is what the chip's Basic Access Control key is derived from: the
// document number (for a CCCD the last 9 digits of the 12-digit ID number),
// the date of birth and the date of expiry, dates as YYMMDD.
type MRZKey struct {
	DocumentNumber string
	BirthDate      string
	ExpiryDate     string
}

// Validate checks the shape of a typed key before the chip is touched, so a
// typing slip is reported as such and not as a chip error.
func (k MRZKey) Validate() error {
	if len(k.DocumentNumber) < 9 || !allDigits(k.DocumentNumber) {
		return fmt.Errorf("%w: document number must be the 9 or 12 digits on the card", ErrBadMRZ)
	}
	for _, d := range []struct{ name, v string }{{"date of birth", k.BirthDate}, {"date of expiry", k.ExpiryDate}} {
		if len(d.v) != 6 || !allDigits(d.v) {
			return fmt.Errorf("%w: %s must be YYMMDD", ErrBadMRZ, d.name)
		}
		if _, err := time.Parse("060102", d.v); err != nil {
			return fmt.Errorf("%w: %s %s is not a date", ErrBadMRZ, d.name, d.v)
		}
	}
	return nil
}

// MRZKeyFromID builds the key from the 12-digit ID number and the two dates
// as the officer types them (DD/MM/YYYY or YYMMDD).
func MRZKeyFromID(idNumber, birth, expiry string) (MRZKey, error) {
	idNumber = strings.TrimSpace(idNumber)
	if err := ValidateIDNumber(idNumber); err != nil {
		return MRZKey{}, err
	}
	b, err := normDate(birth)
	if err != nil {
		return MRZKey{}, fmt.Errorf("%w: date of birth: %v", ErrBadMRZ, err)
	}
	e, err := normDate(expiry)
	if err != nil {
		return MRZKey{}, fmt.Errorf("%w: date of expiry: %v", ErrBadMRZ, err)
	}
	k := MRZKey{DocumentNumber: idNumber[3:], BirthDate: b, ExpiryDate: e}
	return k, k.Validate()
}

func normDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"02/01/2006", "02-01-2006", "02.01.2006", "2006-01-02", "060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("060102"), nil
		}
	}
	return "", fmt.Errorf("%q is not a date (DD/MM/YYYY)", s)
}

// ValidateIDNumber checks the structure of a 12-digit CCCD number: digits
// only, a province code 001–096 and a sex/century digit.
func ValidateIDNumber(id string) error {
	if err := mrz.CheckIDNumber(id); err != nil {
		return fmt.Errorf("%w: %v", ErrBadMRZ, err)
	}
	return nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Card is what was read from the citizen's chip ID card.
type Card struct {
	IDNumber    string // 12 digits; never logged unmasked
	FullName    string
	BirthDate   time.Time
	Sex         string // "M", "F" or "" when unknown
	Expiry      time.Time
	Nationality string
	// Photo is the portrait from DG2; nil if it could not be decoded.
	Photo image.Image
	// PassiveAuthOK reports whether EF.SOD verified the data groups.
	PassiveAuthOK bool
	// PassiveAuthAnchor names the trusted CSCA certificate that verified
	// the document signer; empty when none did.
	PassiveAuthAnchor string
	// Extra holds DG13 fields by name (place of origin, residence...).
	Extra map[string]string
}

func (c Card) validate() error {
	if err := ValidateIDNumber(c.IDNumber); err != nil {
		return fmt.Errorf("card data: %w", err)
	}
	if strings.TrimSpace(c.FullName) == "" {
		return errors.New("card data: no name read from the chip")
	}
	return nil
}

// Consent is the citizen's recorded, explicit consent to processing of
// their biometrics for this application.
type Consent struct {
	Given       bool
	TextVersion string // which consent text was shown
	Lang        string // language it was shown in
	At          time.Time
	Officer     string
}

// Portrait is the live face image chosen for matching.
type Portrait struct {
	Image   image.Image
	Quality float64 // 0..1 from the face quality assessor
	Frames  int     // how many frames were examined
	At      time.Time
}

// FingerPosition numbers fingers as ISO/IEC 19794: 1 right thumb … 5 right
// little, 6 left thumb … 10 left little.
type FingerPosition int

// Finger positions.
const (
	RightThumb FingerPosition = iota + 1
	RightIndex
	RightMiddle
	RightRing
	RightLittle
	LeftThumb
	LeftIndex
	LeftMiddle
	LeftRing
	LeftLittle
)

// Valid reports whether p is one of the ten fingers.
func (p FingerPosition) Valid() bool { return p >= RightThumb && p <= LeftLittle }

var fingerNames = [...]string{"", "right_thumb", "right_index", "right_middle", "right_ring", "right_little",
	"left_thumb", "left_index", "left_middle", "left_ring", "left_little"}

// String returns a stable key such as "right_index", also used as the
// translation key suffix.
func (p FingerPosition) String() string {
	if !p.Valid() {
		return fmt.Sprintf("finger(%d)", int(p))
	}
	return fingerNames[p]
}

// FingerCapture is the outcome for one requested finger: either an image
// with its quality, or a recorded exception.
type FingerCapture struct {
	Position FingerPosition
	Image    image.Image
	Quality  int // 0..100, NFIQ-2-like: higher is better
	Attempts int
	// Missing marks an exception (amputated, bandaged, unreadable): it needs
	// a reason and a photo of the hand for the supervisor.
	Missing        bool
	MissingReason  string
	ExceptionPhoto image.Image
}

// Captured reports whether the finger has a usable image.
func (f FingerCapture) Captured() bool { return !f.Missing && f.Image != nil }

// Contact is how the citizen is told of the outcome, and what is to be
// integrated into the account.
type Contact struct {
	Phone     string
	Email     string
	Documents []string // keys from Documents
}

// Documents are the kinds of documents a citizen may ask to integrate.
var Documents = []string{"driving_licence", "vehicle_registration", "health_insurance", "social_insurance", "tax", "passport", "dependants", "residence"}

// NormalizePhone returns a Vietnamese mobile number as 0XXXXXXXXX, accepting
// spaces, dots, dashes and a +84 / 84 prefix.
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || (r == '+' && b.Len() == 0):
		default:
			return "", fmt.Errorf("%w: phone number has a %q", ErrBadContact, r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "84") && len(d) == 11 {
		d = "0" + d[2:]
	}
	if len(d) != 10 || d[0] != '0' || !strings.ContainsRune("35789", rune(d[1])) {
		return "", fmt.Errorf("%w: a mobile number has 10 digits and starts with 03, 05, 07, 08 or 09", ErrBadContact)
	}
	return d, nil
}

// Validate normalizes and checks the contact: at least one of phone and
// e-mail, each well formed, documents from the known list.
func (c Contact) Validate() (Contact, error) {
	out := Contact{}
	if strings.TrimSpace(c.Phone) == "" && strings.TrimSpace(c.Email) == "" {
		return c, fmt.Errorf("%w: give a phone number or an e-mail address", ErrBadContact)
	}
	if strings.TrimSpace(c.Phone) != "" {
		p, err := NormalizePhone(c.Phone)
		if err != nil {
			return c, err
		}
		out.Phone = p
	}
	if e := strings.TrimSpace(c.Email); e != "" {
		a, err := mail.ParseAddress(e)
		if err != nil || a.Address != e || !strings.Contains(e[strings.IndexByte(e, '@')+1:], ".") {
			return c, fmt.Errorf("%w: %q is not an e-mail address", ErrBadContact, e)
		}
		out.Email = e
	}
	seen := map[string]bool{}
	for _, d := range c.Documents {
		known := false
		for _, k := range Documents {
			known = known || k == d
		}
		if !known {
			return c, fmt.Errorf("%w: unknown document %q", ErrBadContact, d)
		}
		if !seen[d] {
			seen[d] = true
			out.Documents = append(out.Documents, d)
		}
	}
	return out, nil
}
