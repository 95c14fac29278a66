// Package chipsim is the card side of an eMRTD: BAC, secure messaging, the
// file system with its access rules and active authentication, serving a
// synthetic CCCD. It implements iso7816.Transceiver, so readers, tests,
// the station's demo mode and diagnostics drive it with the same APDUs a
// real chip receives.
package chipsim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"math/big"
	"sync"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/sm"
)

// AID is the eMRTD application identifier.
var AID = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// Card is a simulated contactless eMRTD chip.
type Card struct {
	mu sync.Mutex

	files     map[uint16][]byte
	protected map[uint16]bool // readable only after terminal authentication
	key       bac.Key
	aaKey     *ecdsa.PrivateKey
	aaRSA     *rsa.PrivateKey
	rnd       io.Reader

	// Extended makes the card accept extended-length APDUs.
	Extended bool
	// ATR is returned by transports when the card is powered.
	ATR []byte

	appSelected bool
	rndIC       []byte
	session     *sm.Session
	current     uint16
	pending     []byte // response bytes waiting for GET RESPONSE

	exchanges   int
	removeAfter int
	removed     bool
}

// Key returns the BAC key printed on the card's MRZ.
func (c *Card) Key() bac.Key { return c.key }

// File returns a copy of the file with identifier fid, for tests.
func (c *Card) File(fid uint16) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.files[fid]...)
}

// SetFile replaces a file's content without re-signing: tests use it to
// tamper with a data group.
func (c *Card) SetFile(fid uint16, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[fid] = b
}

// RemoveAfter makes the card leave the field after n more exchanges.
func (c *Card) RemoveAfter(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeAfter = c.exchanges + n
}

// Present reports whether the card is in the field.
func (c *Card) Present() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.removed
}

// Insert puts the card back and resets it, as a fresh power-up does.
func (c *Card) Insert() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removed, c.removeAfter = false, 0
	c.reset()
}

// Reset is a warm reset: access rights and secure messaging end.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset()
}

func (c *Card) reset() {
	c.appSelected, c.rndIC, c.session, c.current, c.pending = false, nil, nil, 0, nil
}

// Exchanges returns the number of APDUs the card has answered.
func (c *Card) Exchanges() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exchanges
}

func sw(s uint16) iso7816.Response { return iso7816.Response{SW: s} }

// Transmit implements iso7816.Transceiver.
func (c *Card) Transmit(ctx context.Context, raw []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return nil, iso7816.ErrCardRemoved
	}
	c.exchanges++
	if c.removeAfter > 0 && c.exchanges > c.removeAfter {
		c.removed = true
		c.reset()
		return nil, iso7816.ErrCardRemoved
	}
	return c.process(raw).Bytes(), nil
}

func isExtended(raw []byte, cmd iso7816.Command) bool {
	return cmd.Ne > iso7816.MaxShortNe || len(cmd.Data) > 255 || (len(raw) > 5 && raw[4] == 0)
}

func (c *Card) process(raw []byte) iso7816.Response {
	cmd, err := iso7816.ParseCommand(raw)
	if err != nil {
		return sw(0x6700)
	}
	ext := isExtended(raw, cmd)
	if ext && !c.Extended {
		return sw(0x6700)
	}
	if cmd.INS == iso7816.InsGetResponse && cmd.CLA&0x0C == 0 {
		return c.getResponse(cmd.Ne)
	}
	c.pending = nil
	var r iso7816.Response
	if cmd.CLA&0x0C == 0x0C {
		if c.session == nil {
			return sw(0x6988)
		}
		inner, err := c.session.UnwrapCommand(cmd)
		if err != nil {
			c.session = nil // a broken MAC ends secure messaging
			return sw(0x6988)
		}
		if r, err = c.session.WrapResponse(c.handle(inner, true)); err != nil {
			return sw(0x6F00)
		}
	} else {
		if c.session != nil {
			c.session = nil // a plain command ends secure messaging
		}
		r = c.handle(cmd, false)
	}
	// A short command can carry back at most 256 bytes: chain the rest.
	if !ext && len(r.Data) > iso7816.MaxShortNe {
		c.pending = r.Bytes()
		return c.getResponse(iso7816.MaxShortNe)
	}
	return r
}

func (c *Card) getResponse(ne int) iso7816.Response {
	if c.pending == nil {
		return sw(0x6985)
	}
	body := c.pending[:len(c.pending)-2]
	if len(body) <= ne {
		r := iso7816.Response{Data: body, SW: uint16(c.pending[len(c.pending)-2])<<8 | uint16(c.pending[len(c.pending)-1])}
		c.pending = nil
		return r
	}
	out := append([]byte(nil), body[:ne]...)
	c.pending = append(body[ne:len(body):len(body)], c.pending[len(c.pending)-2:]...)
	left := len(c.pending) - 2
	if left > 255 {
		left = 0
	}
	return iso7816.Response{Data: out, SW: 0x6100 | uint16(left)}
}

func (c *Card) handle(cmd iso7816.Command, protected bool) iso7816.Response {
	switch cmd.INS {
	case iso7816.InsSelect:
		return c.selectFile(cmd, protected)
	case iso7816.InsReadBinary:
		return c.readBinary(cmd, protected)
	case iso7816.InsGetChallenge:
		if cmd.Ne != 8 {
			return sw(0x6700)
		}
		c.rndIC = make([]byte, 8)
		io.ReadFull(c.rnd, c.rndIC)
		return iso7816.Response{Data: append([]byte(nil), c.rndIC...), SW: 0x9000}
	case iso7816.InsExternalAuth:
		return c.externalAuthenticate(cmd)
	case iso7816.InsInternalAuth:
		return c.internalAuthenticate(cmd, protected)
	}
	return sw(0x6D00)
}

func (c *Card) selectFile(cmd iso7816.Command, protected bool) iso7816.Response {
	switch cmd.P1 {
	case 0x04:
		if !bytes.Equal(cmd.Data, AID) {
			return sw(0x6A82)
		}
		c.appSelected, c.current = true, 0
		return sw(0x9000)
	case 0x02, 0x00:
		if len(cmd.Data) != 2 {
			return sw(0x6A87)
		}
		if !c.appSelected {
			return sw(0x6A82)
		}
		if !protected {
			return sw(0x6982)
		}
		fid := uint16(cmd.Data[0])<<8 | uint16(cmd.Data[1])
		if _, ok := c.files[fid]; !ok {
			return sw(0x6A82)
		}
		c.current = fid
		return sw(0x9000)
	}
	return sw(0x6A86)
}

func (c *Card) readBinary(cmd iso7816.Command, protected bool) iso7816.Response {
	if !protected {
		return sw(0x6982)
	}
	fid, off := c.current, int(cmd.P1)<<8|int(cmd.P2)
	if cmd.P1&0x80 != 0 { // short file identifier in P1, offset in P2
		fid, off = 0x0100|uint16(cmd.P1&0x1F), int(cmd.P2)
		if _, ok := c.files[fid]; !ok {
			return sw(0x6A82)
		}
		c.current = fid
	}
	f, ok := c.files[fid]
	if fid == 0 || !ok {
		return sw(0x6986)
	}
	if c.protected[fid] {
		return sw(0x6982)
	}
	if off > len(f) {
		return sw(0x6B00)
	}
	end := off + cmd.Ne
	if end > len(f) {
		return iso7816.Response{Data: append([]byte(nil), f[off:]...), SW: 0x6282}
	}
	return iso7816.Response{Data: append([]byte(nil), f[off:end]...), SW: 0x9000}
}

func (c *Card) externalAuthenticate(cmd iso7816.Command) iso7816.Response {
	if c.rndIC == nil {
		return sw(0x6985)
	}
	rndIC := c.rndIC
	c.rndIC = nil // one attempt per challenge
	if len(cmd.Data) != 40 {
		return sw(0x6700)
	}
	kenc, kmac, err := c.key.Keys()
	if err != nil {
		return sw(0x6F00)
	}
	mac, _ := sm.RetailMAC(kmac, sm.Pad(cmd.Data[:32]))
	if !bytes.Equal(mac, cmd.Data[32:]) {
		return sw(0x6300)
	}
	s, _ := sm.Decrypt3DES(kenc, cmd.Data[:32])
	rndIFD, gotIC, kIFD := s[:8], s[8:16], s[16:32]
	if !bytes.Equal(gotIC, rndIC) {
		return sw(0x6300)
	}
	kIC := make([]byte, 16)
	io.ReadFull(c.rnd, kIC)
	resp, err := bac.ExternalAuthData(kenc, kmac, rndIC, rndIFD, kIC)
	if err != nil {
		return sw(0x6F00)
	}
	ksenc, ksmac, ssc := bac.SessionKeys(kIFD, kIC, rndIC, rndIFD)
	c.session, _ = sm.NewSession(ksenc, ksmac, ssc, nil)
	return iso7816.Response{Data: resp, SW: 0x9000}
}

// internalAuthenticate signs the terminal's 8-byte challenge with the
// active authentication key (ECDSA, plain r ‖ s per BSI TR-03111).
func (c *Card) internalAuthenticate(cmd iso7816.Command, protected bool) iso7816.Response {
	if !protected {
		return sw(0x6982)
	}
	if len(cmd.Data) != 8 {
		return sw(0x6700)
	}
	if c.aaRSA != nil {
		m1 := make([]byte, 1024)
		io.ReadFull(c.rnd, m1)
		return iso7816.Response{Data: signISO9796(c.aaRSA, cmd.Data, m1), SW: 0x9000}
	}
	if c.aaKey == nil {
		return sw(0x6D00)
	}
	d := sha256.Sum256(cmd.Data)
	r, s, err := ecdsa.Sign(rand.Reader, c.aaKey, d[:])
	if err != nil {
		return sw(0x6F00)
	}
	n := (c.aaKey.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	r.FillBytes(out[:n])
	s.FillBytes(out[n:])
	return iso7816.Response{Data: out, SW: 0x9000}
}

// signISO9796 signs an active authentication challenge with ISO/IEC
// 9796-2 scheme 1 (partial recovery, SHA-256). Simulator only: no blinding.
func signISO9796(priv *rsa.PrivateKey, challenge, m1Random []byte) []byte {
	k := (priv.N.BitLen() + 7) / 8
	h := crypto.SHA256
	m1 := m1Random[:k-2-h.Size()-1]
	f := []byte{0x6A}
	f = append(f, m1...)
	hh := h.New()
	hh.Write(m1)
	hh.Write(challenge)
	f = append(f, hh.Sum(nil)...)
	f = append(f, 0x34, 0xCC)
	s := new(big.Int).Exp(new(big.Int).SetBytes(f), priv.D, priv.N)
	return s.FillBytes(make([]byte, k))
}
