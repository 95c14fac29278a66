package emrtd

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
	"github.com/dinhdanh/dinhdanh/internal/shared"
)

var (
	pkiOnce sync.Once
	testPKI *chipsim.TestPKI
)

func pki(t testing.TB) *chipsim.TestPKI {
	pkiOnce.Do(func() {
		var err error
		if testPKI, err = chipsim.NewTestPKI("brainpool"); err != nil {
			t.Fatal(err)
		}
	})
	return testPKI
}

func newCard(t testing.TB, extended bool, portrait []byte) (*chipsim.Card, *passiveauth.TrustStore) {
	p := chipsim.DemoPerson()
	p.Portrait = portrait
	card, k, err := chipsim.NewCCCD(p, chipsim.Options{PKI: pki(t), Extended: extended})
	if err != nil {
		t.Fatal(err)
	}
	ts := &passiveauth.TrustStore{}
	if err := ts.Add(k.CSCADER); err != nil {
		t.Fatal(err)
	}
	return card, ts
}

func realPortrait(t *testing.T) []byte {
	dir := shared.Require(t, "data", "faces", "idols")
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(files) == 0 {
		t.Fatal("no faces in shared data")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	// Shared photos are camera-sized; a chip holds a ~20 KB portrait.
	small, err := chipsim.ChipPortrait(b)
	if err != nil {
		t.Fatal(err)
	}
	return small
}

func TestFullRead(t *testing.T) {
	portrait := realPortrait(t)
	for _, ext := range []bool{false, true} {
		card, ts := newCard(t, ext, portrait)
		progress := map[string]int{}
		doc, err := Read(context.Background(), card, card.Key(), Options{Extended: ext, TrustStore: ts, Progress: func(f string, done, total int) {
			if done > total || total == 0 {
				t.Errorf("%s: %d of %d", f, done, total)
			}
			progress[f] = done
		}})
		if err != nil {
			t.Fatalf("extended=%v: %v", ext, err)
		}
		if doc.MRZ.IDNumber != "001095012345" || doc.MRZ.DocumentNumber != "095012345" {
			t.Errorf("DG1 %+v", doc.MRZ)
		}
		if doc.DG13.FullName != "Nguyễn Văn An" || doc.DG13.MotherName != "Trần Thị Cúc" || doc.DG13.Field16 == "" {
			t.Errorf("DG13 %+v", doc.DG13)
		}
		if doc.Portrait == nil || !bytes.Equal(doc.PortraitRaw, portrait) {
			t.Errorf("portrait %v %s", doc.Portrait == nil, doc.PortraitError)
		}
		if progress["DG2"] != len(card.File(document.FIDDG2)) {
			t.Errorf("DG2 progress %d", progress["DG2"])
		}
		if _, ok := doc.Unreadable["DG3"]; !ok {
			t.Error("DG3 refusal not recorded")
		}
		if !doc.PassiveAuth.Passed() || !strings.Contains(doc.PassiveAuth.Anchor, "TEST CSCA") {
			t.Errorf("passive auth %+v", doc.PassiveAuth)
		}
		if doc.ActiveAuth == nil || !doc.ActiveAuth.OK {
			t.Errorf("active auth %+v", doc.ActiveAuth)
		}
	}
}

func TestWrongMRZ(t *testing.T) {
	card, ts := newCard(t, false, nil)
	k := card.Key()
	k.DateOfBirth = "950316"
	_, err := Read(context.Background(), card, k, Options{TrustStore: ts})
	if !errors.Is(err, bac.ErrAccessDenied) || err.Error() != "BAC failed: check document number (last 9 digits of the ID number), date of birth, expiry" {
		t.Fatal(err)
	}
	// The card still works with the right key afterwards.
	if _, err := Read(context.Background(), card, card.Key(), Options{TrustStore: ts}); err != nil {
		t.Fatal(err)
	}
}

func TestCardPulled(t *testing.T) {
	for _, after := range []int{1, 5, 20, 40} {
		card, ts := newCard(t, false, nil)
		card.RemoveAfter(after)
		doc, err := Read(context.Background(), card, card.Key(), Options{TrustStore: ts})
		if doc != nil || !errors.Is(err, iso7816.ErrCardRemoved) {
			t.Fatalf("after %d: doc %v err %v", after, doc != nil, err)
		}
	}
}

func TestCancel(t *testing.T) {
	card, ts := newCard(t, false, nil)
	ctx, cancel := context.WithCancel(context.Background())
	doc, err := Read(ctx, card, card.Key(), Options{TrustStore: ts, Progress: func(f string, done, total int) {
		if f == "DG2" && done > 1000 {
			cancel()
		}
	}})
	if doc != nil || !errors.Is(err, context.Canceled) {
		t.Fatal(doc != nil, err)
	}
}

func TestPassiveAuthTampering(t *testing.T) {
	card, ts := newCard(t, false, nil)
	dg2 := card.File(document.FIDDG2)
	dg2[len(dg2)-10] ^= 0x01
	card.SetFile(document.FIDDG2, dg2)
	doc, err := Read(context.Background(), card, card.Key(), Options{TrustStore: ts})
	if err != nil {
		t.Fatal(err)
	}
	pa := doc.PassiveAuth
	if pa.Passed() || pa.DataGroups[2] != "mismatch" || pa.DataGroups[1] != "ok" || !strings.Contains(pa.Summary(), "DG2 hash does not match") {
		t.Fatalf("%+v %s", pa, pa.Summary())
	}

	card, ts = newCard(t, false, nil)
	sod := card.File(document.FIDSOD)
	sod[len(sod)-5] ^= 0x01 // inside the signature, the SOD's last field
	card.SetFile(document.FIDSOD, sod)
	doc, err = Read(context.Background(), card, card.Key(), Options{TrustStore: ts})
	if err != nil {
		t.Fatal(err)
	}
	if pa := doc.PassiveAuth; pa.Passed() || pa.SignatureOK || !pa.HashesOK {
		t.Fatalf("bad signature: %+v", pa)
	}

	card, _ = newCard(t, false, nil)
	other, err := chipsim.NewTestPKI("p256")
	if err != nil {
		t.Fatal(err)
	}
	strange := &passiveauth.TrustStore{}
	strange.Add(other.CSCADER)
	doc, err = Read(context.Background(), card, card.Key(), Options{TrustStore: strange})
	if err != nil {
		t.Fatal(err)
	}
	if pa := doc.PassiveAuth; pa.Passed() || !pa.SignatureOK || pa.Anchor != "" || pa.Summary() != "signature valid, issuer not in trust store" {
		t.Fatalf("unknown CSCA: %+v %q", pa, pa.Summary())
	}
}

func TestSignatureKinds(t *testing.T) {
	if testing.Short() {
		t.Skip("RSA key generation")
	}
	for _, kind := range []string{"p256", "rsa", "rsa-pss"} {
		k, err := chipsim.NewTestPKI(kind)
		if err != nil {
			t.Fatal(err)
		}
		card, _, err := chipsim.NewCCCD(chipsim.DemoPerson(), chipsim.Options{PKI: k})
		if err != nil {
			t.Fatal(err)
		}
		ts := &passiveauth.TrustStore{}
		ts.Add(k.CSCADER)
		doc, err := Read(context.Background(), card, card.Key(), Options{TrustStore: ts})
		if err != nil || !doc.PassiveAuth.Passed() {
			t.Fatalf("%s: %v %+v", kind, err, doc.PassiveAuth)
		}
	}
}

// garbage answers with random bytes after the first n exchanges.
type garbage struct {
	card *chipsim.Card
	n    int
	rnd  *rand.Rand
}

func (g *garbage) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	r, err := g.card.Transmit(ctx, apdu)
	if g.n--; g.n >= 0 || err != nil {
		return r, err
	}
	out := make([]byte, g.rnd.Intn(300))
	g.rnd.Read(out)
	if len(out) > 2 && g.rnd.Intn(2) == 0 {
		copy(out[len(out)-2:], []byte{0x90, 0x00})
	}
	return out, nil
}

func TestGarbageResponses(t *testing.T) {
	card, ts := newCard(t, false, nil)
	rnd := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		card.Reset()
		g := &garbage{card: card, n: rnd.Intn(60), rnd: rnd}
		// Garbage may only reach the last command, active authentication,
		// which must then fail.
		if doc, err := Read(context.Background(), g, card.Key(), Options{TrustStore: ts}); err == nil && g.n < 0 && doc.ActiveAuth.OK {
			t.Fatalf("garbage accepted: %+v", doc.PassiveAuth)
		}
	}
}

// RSA active authentication: the 2048-bit signature under secure
// messaging is longer than a short response, so it also exercises 61xx
// GET RESPONSE chaining.
func TestActiveAuthRSA(t *testing.T) {
	card, _, err := chipsim.NewCCCD(chipsim.DemoPerson(), chipsim.Options{PKI: pki(t), RSAActiveAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Read(context.Background(), card, card.Key(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if aa := doc.ActiveAuth; aa == nil || !aa.OK || aa.Algorithm != "rsa-iso9796-2-SHA-256" {
		t.Fatalf("%+v", aa)
	}
	// A different key in DG15 than the chip signs with fails.
	other, _, _ := chipsim.NewCCCD(chipsim.DemoPerson(), chipsim.Options{PKI: pki(t), RSAActiveAuth: true})
	card.SetFile(document.FIDDG15, other.File(document.FIDDG15))
	doc, err = Read(context.Background(), card, card.Key(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if aa := doc.ActiveAuth; aa.OK || aa.Error == "" {
		t.Fatalf("%+v", aa)
	}
}
