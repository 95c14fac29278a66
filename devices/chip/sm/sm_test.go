package sm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
)

func pair(t testing.TB) (term, card *Session) {
	kenc, _ := hex.DecodeString("979EC13B1CBFE9DCD01AB0FED307EAE5")
	kmac, _ := hex.DecodeString("F1CB1F1FB5ADF208806B89DC579DC1F8")
	ssc, _ := hex.DecodeString("887022120C06C226")
	term, _ = NewSession(kenc, kmac, ssc, nil)
	card, _ = NewSession(kenc, kmac, ssc, nil)
	return term, card
}

func TestRoundTrip(t *testing.T) {
	term, card := pair(t)
	for _, c := range []iso7816.Command{
		{INS: 0xA4, P1: 2, P2: 0x0C, Data: []byte{1, 0x1E}},
		{INS: 0xB0, Ne: 0xE7},
		{INS: 0xB0, P1: 0x12, Ne: 0xFF},
		{INS: 0xB0, Ne: 20000},
		{INS: 0x88, Data: bytes.Repeat([]byte{7}, 300), Ne: 256},
	} {
		p, err := term.WrapCommand(c)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := p.Bytes(false)
		parsed, err := iso7816.ParseCommand(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := card.UnwrapCommand(parsed)
		if err != nil || got.INS != c.INS || got.P1 != c.P1 || got.Ne != c.Ne || !bytes.Equal(got.Data, c.Data) {
			t.Fatalf("%+v -> %+v %v", c, got, err)
		}
		data := bytes.Repeat([]byte{0x5A}, c.Ne)
		wr, _ := card.WrapResponse(iso7816.Response{Data: data, SW: 0x9000})
		if c.Ne <= MaxShortRead && len(wr.Data) > 256 {
			t.Fatalf("Ne %d: protected response of %d bytes does not fit short APDU", c.Ne, len(wr.Data))
		}
		r, err := term.UnwrapResponse(wr)
		if err != nil || !bytes.Equal(r.Data, data) {
			t.Fatal(err)
		}
	}
	// Protected error response.
	p, _ := term.WrapCommand(iso7816.Command{INS: 0xA4, P1: 2, P2: 0x0C, Data: []byte{1, 3}})
	if _, err := card.UnwrapCommand(p); err != nil {
		t.Fatal(err)
	}
	wr, _ := card.WrapResponse(iso7816.Response{SW: 0x6982})
	r, err := term.UnwrapResponse(wr)
	if err != nil || !errors.Is(r.Err(), iso7816.ErrSecurityNotSatisfied) {
		t.Fatal(r, err)
	}
}

func TestTampered(t *testing.T) {
	term, card := pair(t)
	p0, _ := term.WrapCommand(iso7816.Command{INS: 0xB0, Ne: 4})
	card.UnwrapCommand(p0)
	wr, _ := card.WrapResponse(iso7816.Response{Data: []byte{1, 2, 3, 4}, SW: 0x9000})
	wr.Data[3] ^= 1
	if _, err := term.UnwrapResponse(wr); !errors.Is(err, ErrMAC) {
		t.Fatal(err)
	}
	if _, err := term.UnwrapResponse(iso7816.Response{SW: 0x6988}); !errors.Is(err, iso7816.ErrSMObjectsIncorrect) {
		t.Fatal(err)
	}
	p, _ := term.WrapCommand(iso7816.Command{INS: 0xB0, Ne: 4})
	p.Data[len(p.Data)-1] ^= 1
	if _, err := card.UnwrapCommand(p); !errors.Is(err, ErrMAC) {
		t.Fatal(err)
	}
}

func FuzzUnwrapResponse(f *testing.F) {
	for _, s := range []string{"990290008E08FA855A5D4C50A8ED", "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED", "8E08", "", "87820000"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		term, card := pair(t)
		term.UnwrapResponse(iso7816.Response{Data: b, SW: 0x9000})
		card.UnwrapCommand(iso7816.Command{CLA: 0x0C, INS: 0xB0, Data: b})
	})
}
