package chipsim

import (
	"context"
	"errors"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
)

// Access rules at the APDU level: files need BAC, a wrong key gets 6300,
// DG3 stays closed after BAC, and a broken MAC ends secure messaging.
func TestAccessControl(t *testing.T) {
	card, _, err := NewCCCD(DemoPerson(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := &iso7816.Card{T: card}
	if err := iso7816.SelectAID(ctx, c, AID); err != nil {
		t.Fatal(err)
	}
	if err := iso7816.SelectFile(ctx, c, document.FIDCOM); !errors.Is(err, iso7816.ErrSecurityNotSatisfied) {
		t.Fatalf("plain SELECT EF.COM: %v", err)
	}
	if _, err := iso7816.ReadBinary(ctx, c, 0, 4); !errors.Is(err, iso7816.ErrSecurityNotSatisfied) {
		t.Fatalf("plain READ BINARY: %v", err)
	}
	// Wrong key: the raw status word is 6300.
	wrong := card.Key()
	wrong.DateOfExpiry = "350316"
	kenc, kmac, _ := wrong.Keys()
	rndIC, _ := iso7816.GetChallenge(ctx, c, 8)
	data, _ := bac.ExternalAuthData(kenc, kmac, make([]byte, 8), rndIC, make([]byte, 16))
	r, err := c.Send(ctx, iso7816.Command{INS: iso7816.InsExternalAuth, Data: data, Ne: 40})
	if err != nil || r.SW != 0x6300 {
		t.Fatalf("wrong key: %04X %v", r.SW, err)
	}
	s, err := bac.Authenticate(ctx, c, card.Key(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := iso7816.SelectFile(ctx, s, document.FIDDG3); err != nil {
		t.Fatal(err)
	}
	if _, err := iso7816.ReadBinary(ctx, s, 0, 4); !errors.Is(err, iso7816.ErrSecurityNotSatisfied) {
		t.Fatalf("DG3: %v", err)
	}
	if _, err := iso7816.ReadBinary(ctx, s, 0x7000, 4); err == nil {
		t.Fatal("offset past the end accepted")
	}
	// A protected command with a bad MAC gets a plain 6988 and ends SM.
	p, _ := s.WrapCommand(iso7816.Command{INS: iso7816.InsReadBinary, Ne: 4})
	p.Data[len(p.Data)-1] ^= 1
	if r, _ := c.Send(ctx, p); r.SW != 0x6988 {
		t.Fatalf("bad MAC: %04X", r.SW)
	}
	if _, err := iso7816.ReadBinary(ctx, s, 0, 4); err == nil {
		t.Fatal("secure messaging survived a bad MAC")
	}
}
