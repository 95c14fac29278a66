package upstream

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

// Identity is the upstream server's key material: a CA that issues its TLS
// server certificate (stations trust the CA), the server certificate, and
// the Ed25519 key that signs cache pages.
type Identity struct {
	CACert     *x509.Certificate
	CAKey      *ecdsa.PrivateKey
	ServerCert tls.Certificate
	Signing    ed25519.PrivateKey
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

// NewIdentity makes a fresh CA, a server certificate for the given host
// names / IP addresses valid from notBefore for validity, and a signing key.
func NewIdentity(hosts []string, notBefore time.Time, validity time.Duration) (*Identity, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "dinhdanh reference upstream CA"},
		NotBefore:             notBefore.Add(-time.Hour),
		NotAfter:              notBefore.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("upstream CA: %w", err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	id := &Identity{CACert: ca, CAKey: caKey}
	if err := id.IssueServerCert(hosts, notBefore, validity); err != nil {
		return nil, err
	}
	_, id.Signing, err = ed25519.GenerateKey(rand.Reader)
	return id, err
}

// IssueServerCert replaces the server certificate (e.g. with an expired one,
// in tests).
func (id *Identity) IssueServerCert(hosts []string, notBefore time.Time, validity time.Duration) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "dinhdanh reference upstream"},
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, id.CACert, &key.PublicKey, id.CAKey)
	if err != nil {
		return fmt.Errorf("upstream server certificate: %w", err)
	}
	id.ServerCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return nil
}

// Trust returns the trust bundle for an upstream reachable at url.
func (id *Identity) Trust(url string) protocol.Trust {
	return protocol.Trust{URL: url, CAPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.CACert.Raw})),
		SigningKey: id.Signing.Public().(ed25519.PublicKey)}
}

type identityFile struct {
	CACert  []byte `json:"ca_cert"`
	CAKey   []byte `json:"ca_key"`
	Signing []byte `json:"signing_seed"`
}

// LoadOrCreateIdentity keeps the upstream identity in dir/identity.json
// (0600) so that a restarted demo server keeps its keys; the server
// certificate is re-issued at every start for hosts.
func LoadOrCreateIdentity(dir string, hosts []string) (*Identity, error) {
	path := filepath.Join(dir, "identity.json")
	if b, err := os.ReadFile(path); err == nil {
		var f identityFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		ca, err := x509.ParseCertificate(f.CACert)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		k, err := x509.ParseECPrivateKey(f.CAKey)
		if err != nil || len(f.Signing) != ed25519.SeedSize {
			return nil, fmt.Errorf("%s: damaged keys", path)
		}
		id := &Identity{CACert: ca, CAKey: k, Signing: ed25519.NewKeyFromSeed(f.Signing)}
		return id, id.IssueServerCert(hosts, time.Now().Add(-time.Hour), 365*24*time.Hour)
	}
	id, err := NewIdentity(hosts, time.Now().Add(-time.Hour), 365*24*time.Hour)
	if err != nil {
		return nil, err
	}
	kb, _ := x509.MarshalECPrivateKey(id.CAKey)
	b, _ := json.Marshal(identityFile{CACert: id.CACert.Raw, CAKey: kb, Signing: id.Signing.Seed()})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return id, os.WriteFile(path, b, 0o600)
}
