package workflow

import (
	"errors"
	"testing"
)

// FuzzMRZKeyFromID: whatever the officer types, the key builder answers
// with a key that validates or ErrBadMRZ, never a panic.
func FuzzMRZKeyFromID(f *testing.F) {
	f.Add("001090000123", "02/01/1990", "02/01/2030")
	f.Add("079190000456", "900102", "2030-01-02")
	f.Add("", "", "")
	f.Add("0010900001２3", "31/02/1990", "99/99/9999")
	f.Fuzz(func(t *testing.T, id, birth, expiry string) {
		k, err := MRZKeyFromID(id, birth, expiry)
		if err != nil {
			if !errors.Is(err, ErrBadMRZ) {
				t.Fatalf("error %v is not ErrBadMRZ", err)
			}
			return
		}
		if k.Validate() != nil || len(k.DocumentNumber) != 9 {
			t.Fatalf("accepted key %+v does not validate", k)
		}
	})
}

// FuzzContact: contact validation normalizes or refuses with ErrBadContact.
func FuzzContact(f *testing.F) {
	f.Add("0912 345 678", "a@b.vn", "passport")
	f.Add("+84912345678", "", "")
	f.Add("", "x@", "tax")
	f.Add("((((", "\"a b\"@c.d", "nonsense")
	f.Fuzz(func(t *testing.T, phone, email, doc string) {
		c, err := Contact{Phone: phone, Email: email, Documents: []string{doc}}.Validate()
		if err != nil {
			if !errors.Is(err, ErrBadContact) {
				t.Fatalf("error %v is not ErrBadContact", err)
			}
			return
		}
		if c.Phone != "" {
			if p, err := NormalizePhone(c.Phone); err != nil || p != c.Phone {
				t.Fatalf("normalized phone %q not stable: %q %v", c.Phone, p, err)
			}
		}
		if c.Phone == "" && c.Email == "" {
			t.Fatal("accepted a contact with neither phone nor e-mail")
		}
	})
}
