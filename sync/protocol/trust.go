package protocol

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// Trust is what a station needs to talk to an upstream: where it is, the CA
// that issued its TLS certificate and the key that signs its cache pages.
// Written as JSON (trust.json) at enrolment.
type Trust struct {
	URL        string `json:"url"`
	CAPEM      string `json:"ca_pem"`
	SigningKey []byte `json:"signing_key"`
}

// LoadTrust reads a trust bundle file.
func LoadTrust(path string) (*Trust, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("upstream trust file: %w", err)
	}
	var t Trust
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("upstream trust file %s: %w", path, err)
	}
	if t.URL == "" || len(t.SigningKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("upstream trust file %s: missing url or signing key", path)
	}
	if _, err := t.CertPool(); err != nil {
		return nil, fmt.Errorf("upstream trust file %s: %w", path, err)
	}
	return &t, nil
}

// CertPool returns the CA as a pool for tls.Config.RootCAs.
func (t *Trust) CertPool() (*x509.CertPool, error) {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM([]byte(t.CAPEM)) {
		return nil, errors.New("no CA certificate in trust bundle")
	}
	return p, nil
}
