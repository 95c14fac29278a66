package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/ecc"
	"github.com/dinhdanh/dinhdanh/internal/shared"
)

// The Vietnam CSCA is self-signed with ECDSA-SHA512 over brainpoolP512r1
// given as explicit parameters: a real-world check of the ecc package.
func TestVietnamCSCA(t *testing.T) {
	der, err := os.ReadFile(shared.Require(t, "data", "pki", "vn_csca_239.der"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := c.PublicKey.(*ecc.PublicKey)
	if !ok || k.Curve != ecc.BrainpoolP512r1 {
		t.Fatalf("key %T", c.PublicKey)
	}
	if c.Subject.CommonName != "CSCA ePassport Vietnam" || !c.IssuedBy(c) {
		t.Fatalf("subject %v", c.Subject)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Fatal(err)
	}
	c.RawTBS = append([]byte(nil), c.RawTBS...)
	c.RawTBS[len(c.RawTBS)-1] ^= 1
	if c.CheckSignatureFrom(c) == nil {
		t.Fatal("tampered TBS verified")
	}
}

func keys(t testing.TB) map[string]*Signer {
	bp, _ := ecc.GenerateKey(ecc.BrainpoolP256r1, nil)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	out := map[string]*Signer{}
	for name, k := range map[string]struct {
		key any
		pss bool
	}{"brainpool": {bp, false}, "p256": {p256, false}, "rsa": {rk, false}, "rsa-pss": {rk, true}} {
		s, err := NewSigner(k.key, crypto.SHA256, k.pss)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = s
	}
	return out
}

func TestSignedDataRoundTrip(t *testing.T) {
	for name, s := range keys(t) {
		t.Run(name, func(t *testing.T) {
			now := time.Now()
			der, err := CreateCertificate(Template{Serial: big.NewInt(7), Subject: pkix.Name{CommonName: "DS " + name, Country: []string{"VN"}}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), SubjectKeyID: []byte{1, 2, 3}}, s.Public, nil, s)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := cert.CheckSignatureFrom(cert); err != nil {
				t.Fatal(err)
			}
			content := []byte("LDS security object")
			sod, err := Sign(OIDLDSSecurity, content, der, s)
			if err != nil {
				t.Fatal(err)
			}
			sd, err := ParseSignedData(sod)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := sd.SignerCertificate(0)
			if err != nil || string(sd.Content) != string(content) || !sd.ContentType.Equal(OIDLDSSecurity) {
				t.Fatal(err)
			}
			if err := sd.VerifySigner(0, sc); err != nil {
				t.Fatal(err)
			}
			sd.Signers[0].Signature[len(sd.Signers[0].Signature)/2] ^= 1
			if sd.VerifySigner(0, sc) == nil {
				t.Fatal("bad signature verified")
			}
			sd.Signers[0].Signature[len(sd.Signers[0].Signature)/2] ^= 1
			sd.Content = []byte("changed")
			if sd.VerifySigner(0, sc) == nil {
				t.Fatal("changed content verified")
			}
		})
	}
}

func FuzzSOD(f *testing.F) {
	s := keys(f)["p256"]
	der, _ := CreateCertificate(Template{Serial: big.NewInt(1), Subject: pkix.Name{CommonName: "x"}, NotBefore: time.Now(), NotAfter: time.Now()}, s.Public, nil, s)
	sod, _ := Sign(OIDLDSSecurity, []byte{0x30, 0}, der, s)
	f.Add(sod)
	f.Add(der)
	f.Fuzz(func(t *testing.T, b []byte) {
		if sd, err := ParseSignedData(b); err == nil {
			for i := range sd.Signers {
				if c, err := sd.SignerCertificate(i); err == nil {
					sd.VerifySigner(i, c)
				}
			}
		}
		if c, err := ParseCertificate(b); err == nil {
			c.CheckSignatureFrom(c)
		}
	})
}
