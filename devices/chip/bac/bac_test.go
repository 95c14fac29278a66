package bac

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/sm"
)

func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// ICAO 9303-11 Appendix D.2: key derivation from the MRZ.
var specKey = Key{DocumentNumber: "L898902C", DateOfBirth: "690806", DateOfExpiry: "940623"}

func TestAppendixD2(t *testing.T) {
	info, err := specKey.MRZInformation()
	if err != nil || info != "L898902C<369080619406236" {
		t.Fatalf("MRZ_information %q %v", info, err)
	}
	seed, _ := specKey.Seed()
	kenc, kmac, _ := specKey.Keys()
	for _, c := range []struct {
		name      string
		got, want []byte
	}{
		{"Kseed", seed, h("239AB9CB282DAF66231DC5A4DF6BFBAE")},
		{"Kenc", kenc, h("AB94FDECF2674FDFB9B391F85D7F76F2")},
		{"Kmac", kmac, h("7962D9ECE03D1ACD4C76089DCE131543")},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s = %X, want %X", c.name, c.got, c.want)
		}
	}
}

// specCard answers the Appendix D.3 exchange and records the commands.
type specCard struct{ sent [][]byte }

func (c *specCard) Transmit(_ context.Context, apdu []byte) ([]byte, error) {
	c.sent = append(c.sent, apdu)
	switch apdu[1] {
	case 0x84:
		return h("4608F91988702212 9000"), nil
	case 0x82:
		return h("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449 9000"), nil
	}
	return h("6D00"), nil
}

func TestAppendixD3(t *testing.T) {
	card := &specCard{}
	rnd := bytes.NewReader(h("781723860C06C226 0B795240CB7049B01C19B33E32804F0B"))
	s, err := Authenticate(context.Background(), &iso7816.Card{T: card}, specKey, rnd)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(card.sent[0], h("0084000008")) {
		t.Errorf("GET CHALLENGE % X", card.sent[0])
	}
	// The spec's APDU has Le 28 (40): the card's answer length.
	if want := h("008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728"); !bytes.Equal(card.sent[1], want) {
		t.Errorf("EXTERNAL AUTHENTICATE\n got %X\nwant %X", card.sent[1], want)
	}
	for _, c := range []struct {
		name      string
		got, want []byte
	}{
		{"KSenc", s.KEnc, h("979EC13B1CBFE9DCD01AB0FED307EAE5")},
		{"KSmac", s.KMac, h("F1CB1F1FB5ADF208806B89DC579DC1F8")},
		{"SSC", s.SSC[:], h("887022120C06C226")},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s = %X, want %X", c.name, c.got, c.want)
		}
	}
	kenc, kmac, _ := specKey.Keys()
	eifd, _ := ExternalAuthData(kenc, kmac, h("781723860C06C226"), h("4608F91988702212"), h("0B795240CB7049B01C19B33E32804F0B"))
	if !bytes.Equal(eifd, h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7")) {
		t.Errorf("cmd_data %X", eifd)
	}
	kic, err := CheckCardResponse(kenc, kmac, h("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"), h("781723860C06C226"), h("4608F91988702212"))
	if err != nil || !bytes.Equal(kic, h("0B4F80323EB3191CB04970CB4052790B")) {
		t.Errorf("K.IC %X %v", kic, err)
	}
}

// Appendix D.4: secure messaging of SELECT EF.COM and two READ BINARYs.
func TestAppendixD4(t *testing.T) {
	s, _ := sm.NewSession(h("979EC13B1CBFE9DCD01AB0FED307EAE5"), h("F1CB1F1FB5ADF208806B89DC579DC1F8"), h("887022120C06C226"), nil)
	steps := []struct {
		cmd       iso7816.Command
		protected string
		resp      string
		data      string
		ssc       string
	}{
		{iso7816.Command{INS: 0xA4, P1: 2, P2: 0x0C, Data: h("011E")}, "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "990290008E08FA855A5D4C50A8ED9000", "", "887022120C06C228"},
		{iso7816.Command{INS: 0xB0, Ne: 4}, "0CB000000D9701048E08ED6705417E96BA5500", "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", "60145F01", "887022120C06C22A"},
		{iso7816.Command{INS: 0xB0, P2: 4, Ne: 0x12}, "0CB000040D9701128E082EA28A70F3C7B53500", "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000", "04303130365F36063034303030305C026175", "887022120C06C22C"},
	}
	for i, st := range steps {
		p, err := s.WrapCommand(st.cmd)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := p.Bytes(false)
		if !bytes.Equal(raw, h(st.protected)) {
			t.Errorf("step %d protected C-APDU\n got %X\nwant %s", i, raw, st.protected)
		}
		r, _ := iso7816.ParseResponse(h(st.resp))
		plain, err := s.UnwrapResponse(r)
		if err != nil || plain.SW != 0x9000 || !bytes.Equal(plain.Data, h(st.data)) {
			t.Errorf("step %d response %X %04X %v, want %s", i, plain.Data, plain.SW, err, st.data)
		}
		if !bytes.Equal(s.SSC[:], h(st.ssc)) {
			t.Errorf("step %d SSC %X want %s", i, s.SSC, st.ssc)
		}
	}
}

type refusingCard struct{}

func (refusingCard) Transmit(_ context.Context, apdu []byte) ([]byte, error) {
	if apdu[1] == 0x84 {
		return h("0102030405060708 9000"), nil
	}
	return h("6300"), nil
}

func TestWrongKey(t *testing.T) {
	_, err := Authenticate(context.Background(), &iso7816.Card{T: refusingCard{}}, specKey, nil)
	if !errors.Is(err, ErrAccessDenied) || err.Error() != "BAC failed: check document number (last 9 digits of the ID number), date of birth, expiry" {
		t.Fatal(err)
	}
	if _, _, err := (Key{DocumentNumber: "X", DateOfBirth: "691306", DateOfExpiry: "940623"}).Keys(); err == nil {
		t.Fatal("month 13 accepted")
	}
}
