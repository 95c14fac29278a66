package passiveauth

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/internal/shared"
)

func TestLoadVietnamCSCA(t *testing.T) {
	dir := filepath.Dir(shared.Require(t, "data", "pki", "vn_csca_239.der"))
	ts, err := Load(dir)
	if err != nil || ts.Len() != 1 {
		t.Fatal(ts.Len(), err)
	}
	if n := Name(ts.anchors[0]); !strings.HasPrefix(n, "CSCA ePassport Vietnam (VN)") {
		t.Fatal(n)
	}
}

func TestVerify(t *testing.T) {
	pki, err := chipsim.NewTestPKI("brainpool")
	if err != nil {
		t.Fatal(err)
	}
	card, _, err := chipsim.NewCCCD(chipsim.DemoPerson(), chipsim.Options{PKI: pki})
	if err != nil {
		t.Fatal(err)
	}
	sod, err := document.ParseSOD(card.File(document.FIDSOD))
	if err != nil {
		t.Fatal(err)
	}
	files := map[int][]byte{1: card.File(document.FIDDG1), 2: card.File(document.FIDDG2), 13: card.File(document.FIDDG13)}

	// Trust store from a PEM file in a folder.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "csca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.CSCADER}), 0o600)
	ts, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := Verify(sod, files, ts, time.Now())
	if !r.Passed() || r.DataGroups[3] != "not read" || !strings.Contains(r.SignatureAlgorithm, "brainpoolP256r1") {
		t.Fatalf("%+v", r)
	}
	// Empty trust store: hashes and signature are still checked.
	r = Verify(sod, files, nil, time.Now())
	if r.Passed() || !r.SignatureOK || !r.HashesOK || r.Summary() != "signature valid, issuer not in trust store" {
		t.Fatalf("%+v %s", r, r.Summary())
	}
	// Long after the certificates expired.
	r = Verify(sod, files, ts, time.Now().AddDate(20, 0, 0))
	if r.Passed() || r.ChainOK {
		t.Fatalf("expired: %+v", r)
	}
	// A data group the SOD does not list.
	files[5] = []byte{0x65, 0}
	if r = Verify(sod, files, ts, time.Now()); r.HashesOK {
		t.Fatal("unlisted DG accepted")
	}
}
