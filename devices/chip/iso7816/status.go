package iso7816

import "fmt"

// StatusError is a status word other than success. Compare with errors.Is
// against the named errors below.
type StatusError struct{ SW uint16 }

func (e *StatusError) Error() string {
	if name, ok := swNames[e.SW]; ok {
		return fmt.Sprintf("card status %04X: %s", e.SW, name)
	}
	switch e.SW >> 8 {
	case 0x63:
		if e.SW&0xF0 == 0xC0 {
			return fmt.Sprintf("card status %04X: verification failed, %d tries left", e.SW, e.SW&0x0F)
		}
	case 0x6C:
		return fmt.Sprintf("card status %04X: wrong Le, %d available", e.SW, e.SW&0xFF)
	}
	return fmt.Sprintf("card status %04X", e.SW)
}

// Is matches another *StatusError with the same status word.
func (e *StatusError) Is(target error) bool {
	t, ok := target.(*StatusError)
	return ok && t.SW == e.SW
}

// Named status words (ISO 7816-4 §5.1.3 and ICAO 9303-11).
var (
	ErrAuthFailed           = &StatusError{0x6300} // also a wrong BAC key
	ErrEndOfFile            = &StatusError{0x6282}
	ErrMemoryFailure        = &StatusError{0x6581}
	ErrWrongLength          = &StatusError{0x6700}
	ErrSMNotSupported       = &StatusError{0x6882}
	ErrSecurityNotSatisfied = &StatusError{0x6982}
	ErrAuthBlocked          = &StatusError{0x6983}
	ErrConditionsNotMet     = &StatusError{0x6985}
	ErrNoCurrentEF          = &StatusError{0x6986}
	ErrSMObjectsMissing     = &StatusError{0x6987}
	ErrSMObjectsIncorrect   = &StatusError{0x6988}
	ErrWrongData            = &StatusError{0x6A80}
	ErrFuncNotSupported     = &StatusError{0x6A81}
	ErrFileNotFound         = &StatusError{0x6A82}
	ErrWrongP1P2            = &StatusError{0x6A86}
	ErrRefDataNotFound      = &StatusError{0x6A88}
	ErrWrongOffset          = &StatusError{0x6B00}
	ErrINSNotSupported      = &StatusError{0x6D00}
	ErrCLANotSupported      = &StatusError{0x6E00}
	ErrNoDiagnosis          = &StatusError{0x6F00}
)

var swNames = map[uint16]string{
	0x6282: "end of file reached before Le bytes",
	0x6300: "authentication failed",
	0x6581: "memory failure",
	0x6700: "wrong length",
	0x6882: "secure messaging not supported",
	0x6982: "security status not satisfied",
	0x6983: "authentication method blocked",
	0x6985: "conditions of use not satisfied",
	0x6986: "command not allowed (no current EF)",
	0x6987: "expected secure messaging data objects missing",
	0x6988: "incorrect secure messaging data objects",
	0x6A80: "incorrect data",
	0x6A81: "function not supported",
	0x6A82: "file not found",
	0x6A86: "incorrect P1 P2",
	0x6A88: "referenced data not found",
	0x6B00: "wrong offset",
	0x6D00: "instruction not supported",
	0x6E00: "class not supported",
	0x6F00: "no precise diagnosis",
}
