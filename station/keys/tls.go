package keys

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// ClientCertificate returns the station's mutual-TLS client certificate:
// self-signed with the station's Ed25519 signing key, subject CN = station
// ID, valid from notBefore for validity.
//
// Upstream does not trust a CA for stations: at enrolment it records the
// station's ID and Ed25519 public key (the same key that signs batches), and
// accepts a client certificate only if its key is that enrolled key and the
// certificate is within its validity period. A stolen certificate without
// the key file is useless; re-enrolment replaces a lost station.
func (f *File) ClientCertificate(notBefore time.Time, validity time.Duration) (tls.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: f.StationID, Organization: []string{"dinhdanh station"}},
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, f.Signing.Public(), f.Signing)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("station client certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: f.Signing, Leaf: leaf}, nil
}
