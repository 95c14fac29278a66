// Package bac implements Basic Access Control (ICAO 9303-11 §4.3): the
// document basic access keys derived from the MRZ, the mutual
// authentication with GET CHALLENGE and EXTERNAL AUTHENTICATE, and the
// session keys that start secure messaging.
package bac

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"github.com/dinhdanh/dinhdanh/devices/chip/sm"
)

// ErrAccessDenied is the one error a wrong MRZ produces. The officer can act
// on it: the three inputs are the only things that can be wrong.
var ErrAccessDenied = errors.New("BAC failed: check document number (last 9 digits of the ID number), date of birth, expiry")

// Key is the document basic access key material from the MRZ. For a CCCD
// the document number is the last 9 digits of the 12-digit ID number.
type Key struct {
	DocumentNumber string
	DateOfBirth    string // YYMMDD
	DateOfExpiry   string // YYMMDD
}

// KeyFromMRZ takes the BAC key fields of a parsed MRZ.
func KeyFromMRZ(m *mrz.MRZ) Key {
	return Key{DocumentNumber: m.DocumentNumber, DateOfBirth: m.DateOfBirth, DateOfExpiry: m.DateOfExpiry}
}

// MRZInformation returns document number, date of birth and date of expiry,
// each followed by its check digit, the input of the key seed.
func (k Key) MRZInformation() (string, error) {
	doc := strings.ToUpper(k.DocumentNumber)
	if doc == "" || len(doc) > 9 {
		return "", fmt.Errorf("bac: document number must be 1-9 characters (a CCCD uses the last 9 digits of the ID number)")
	}
	doc += strings.Repeat("<", 9-len(doc))
	if !mrz.ValidDate(k.DateOfBirth) {
		return "", fmt.Errorf("bac: date of birth %q is not YYMMDD", k.DateOfBirth)
	}
	if !mrz.ValidDate(k.DateOfExpiry) {
		return "", fmt.Errorf("bac: date of expiry %q is not YYMMDD", k.DateOfExpiry)
	}
	var b strings.Builder
	for _, f := range []string{doc, k.DateOfBirth, k.DateOfExpiry} {
		d, err := mrz.CheckDigit(f)
		if err != nil {
			return "", fmt.Errorf("bac: %w", err)
		}
		b.WriteString(f)
		b.WriteByte(d)
	}
	return b.String(), nil
}

// Seed returns Kseed, the first 16 bytes of SHA-1 over the MRZ information.
func (k Key) Seed() ([]byte, error) {
	info, err := k.MRZInformation()
	if err != nil {
		return nil, err
	}
	h := sha1.Sum([]byte(info))
	return h[:16], nil
}

// Keys returns the basic access keys Kenc and Kmac.
func (k Key) Keys() (kenc, kmac []byte, err error) {
	seed, err := k.Seed()
	if err != nil {
		return nil, nil, err
	}
	return sm.KDF(seed, sm.KDFEnc), sm.KDF(seed, sm.KDFMac), nil
}

// String hides the key: it is personal data.
func (k Key) String() string { return "bac.Key{…}" }

// ExternalAuthData builds EIFD ‖ MIFD from S = RND.IFD ‖ RND.IC ‖ K.IFD.
func ExternalAuthData(kenc, kmac, rndIFD, rndIC, kIFD []byte) ([]byte, error) {
	s := append(append(append([]byte(nil), rndIFD...), rndIC...), kIFD...)
	e, err := sm.Encrypt3DES(kenc, s)
	if err != nil {
		return nil, err
	}
	m, err := sm.RetailMAC(kmac, sm.Pad(e))
	if err != nil {
		return nil, err
	}
	return append(e, m...), nil
}

// CheckCardResponse verifies EIC ‖ MIC, checks that it echoes both nonces
// and returns K.IC.
func CheckCardResponse(kenc, kmac, resp, rndIFD, rndIC []byte) ([]byte, error) {
	if len(resp) != 40 {
		return nil, fmt.Errorf("bac: card response of %d bytes, want 40", len(resp))
	}
	m, err := sm.RetailMAC(kmac, sm.Pad(resp[:32]))
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(m, resp[32:]) != 1 {
		return nil, errors.New("bac: card response MAC mismatch")
	}
	r, err := sm.Decrypt3DES(kenc, resp[:32])
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(r[:8], rndIC) || !bytes.Equal(r[8:16], rndIFD) {
		return nil, errors.New("bac: card response does not echo the nonces")
	}
	return r[16:32], nil
}

// SessionKeys derives KSenc, KSmac and the initial SSC.
func SessionKeys(kIFD, kIC, rndIC, rndIFD []byte) (ksenc, ksmac, ssc []byte) {
	seed := make([]byte, 16)
	subtle.XORBytes(seed, kIFD, kIC)
	ssc = append(append([]byte(nil), rndIC[4:8]...), rndIFD[4:8]...)
	return sm.KDF(seed, sm.KDFEnc), sm.KDF(seed, sm.KDFMac), ssc
}

// Authenticate runs BAC over s and returns the secure messaging session
// that wraps s. rnd supplies RND.IFD and K.IFD (crypto/rand when nil).
// A card that rejects the key yields ErrAccessDenied.
func Authenticate(ctx context.Context, s iso7816.Sender, key Key, rnd io.Reader) (*sm.Session, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	kenc, kmac, err := key.Keys()
	if err != nil {
		return nil, err
	}
	rndIC, err := iso7816.GetChallenge(ctx, s, 8)
	if err != nil {
		return nil, fmt.Errorf("bac: get challenge: %w", err)
	}
	buf := make([]byte, 24)
	if _, err := io.ReadFull(rnd, buf); err != nil {
		return nil, fmt.Errorf("bac: random: %w", err)
	}
	rndIFD, kIFD := buf[:8], buf[8:]
	data, err := ExternalAuthData(kenc, kmac, rndIFD, rndIC, kIFD)
	if err != nil {
		return nil, err
	}
	r, err := s.Send(ctx, iso7816.Command{INS: iso7816.InsExternalAuth, Data: data, Ne: 40})
	if err != nil {
		return nil, fmt.Errorf("bac: external authenticate: %w", err)
	}
	switch r.SW {
	case 0x9000:
	case 0x6300, 0x6988, 0x6982:
		return nil, ErrAccessDenied
	default:
		return nil, fmt.Errorf("bac: external authenticate: %w", r.Err())
	}
	kIC, err := CheckCardResponse(kenc, kmac, r.Data, rndIFD, rndIC)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrAccessDenied, err)
	}
	ksenc, ksmac, ssc := SessionKeys(kIFD, kIC, rndIC, rndIFD)
	return sm.NewSession(ksenc, ksmac, ssc, s)
}
