package chipsim

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/cms"
	"github.com/dinhdanh/dinhdanh/devices/chip/ecc"
)

// TestPKI is a throw-away country signing CA and document signer, made at
// run time, never a real key.
type TestPKI struct {
	CSCADER []byte
	CSCA    *cms.Certificate
	DSDER   []byte
	DS      *cms.Signer
}

// NewTestPKI makes a CSCA and a document signer with keys of the given
// kind: "brainpool" (brainpoolP256r1, as ICAO states favour), "p256",
// "rsa" (PKCS #1 v1.5) or "rsa-pss".
func NewTestPKI(kind string) (*TestPKI, error) {
	newKey := func() (any, bool, error) {
		switch kind {
		case "", "brainpool":
			k, err := ecc.GenerateKey(ecc.BrainpoolP256r1, nil)
			return k, false, err
		case "p256":
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			return k, false, err
		case "rsa", "rsa-pss":
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			return k, kind == "rsa-pss", err
		}
		return nil, false, fmt.Errorf("chipsim: unknown key kind %q", kind)
	}
	cscaKey, pss, err := newKey()
	if err != nil {
		return nil, err
	}
	cscaSigner, err := cms.NewSigner(cscaKey, crypto.SHA256, pss)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	cscaDER, err := cms.CreateCertificate(cms.Template{
		Serial:    big.NewInt(now.UnixNano()),
		Subject:   pkix.Name{Country: []string{"VN"}, Organization: []string{"dinhdanh test"}, CommonName: "TEST CSCA Vietnam (simulator)"},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, SubjectKeyID: []byte("test-csca"),
	}, cscaSigner.Public, nil, cscaSigner)
	if err != nil {
		return nil, err
	}
	csca, err := cms.ParseCertificate(cscaDER)
	if err != nil {
		return nil, err
	}
	dsKey, pss, err := newKey()
	if err != nil {
		return nil, err
	}
	ds, err := cms.NewSigner(dsKey, crypto.SHA256, pss)
	if err != nil {
		return nil, err
	}
	dsDER, err := cms.CreateCertificate(cms.Template{
		Serial:    big.NewInt(now.UnixNano() + 1),
		Subject:   pkix.Name{Country: []string{"VN"}, Organization: []string{"dinhdanh test"}, CommonName: "TEST Document Signer (simulator)"},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour),
		SubjectKeyID: []byte("test-ds"),
	}, ds.Public, csca, cscaSigner)
	if err != nil {
		return nil, err
	}
	return &TestPKI{CSCADER: cscaDER, CSCA: csca, DSDER: dsDER, DS: ds}, nil
}
