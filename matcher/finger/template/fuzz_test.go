package template

import (
	"errors"
	"testing"
)

func seeds(f *testing.F) {
	for _, enc := range []func(*Template) ([]byte, error){Marshal, MarshalISO, MarshalANSI} {
		b, _ := enc(sample())
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add([]byte("FMR\x00 20\x00\x00\x00\x00\x00"))
}

// check makes sure a decoder either errors with ErrCorrupt or returns a
// template that survives re-encoding and decoding.
func check(t *testing.T, b []byte, dec func([]byte) (*Template, error), enc func(*Template) ([]byte, error)) {
	tp, err := dec(b)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error without ErrCorrupt: %v", err)
		}
		return
	}
	again, err := enc(tp)
	if err != nil {
		return // e.g. more minutiae than the target format holds
	}
	if _, err := dec(again); err != nil {
		t.Fatalf("re-encoded template does not decode: %v", err)
	}
}

func FuzzParseISO(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) { check(t, b, ParseISO, MarshalISO) })
}

func FuzzParseANSI(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) { check(t, b, ParseANSI, MarshalANSI) })
}

func FuzzParseTemplate(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) { check(t, b, Unmarshal, Marshal) })
}
