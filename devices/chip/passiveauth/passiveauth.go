// Package passiveauth checks an eMRTD's EF.SOD (ICAO 9303-11 §5.1): every
// data group read against its signed hash, the SOD signature against the
// document signer certificate it carries, and that certificate against a
// configurable store of country signing CA (CSCA) certificates.
package passiveauth

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/cms"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
)

// TrustStore holds the CSCA certificates the station trusts.
type TrustStore struct {
	anchors []*cms.Certificate
}

// Add parses a DER (or PEM) certificate and adds it.
func (ts *TrustStore) Add(der []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(der), []byte("-----BEGIN")) {
		var err error
		if der, err = pemDecode(der); err != nil {
			return err
		}
	}
	c, err := cms.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	ts.anchors = append(ts.anchors, c)
	return nil
}

// AddCertificate adds a parsed certificate.
func (ts *TrustStore) AddCertificate(c *cms.Certificate) { ts.anchors = append(ts.anchors, c) }

// Len returns the number of anchors.
func (ts *TrustStore) Len() int {
	if ts == nil {
		return 0
	}
	return len(ts.anchors)
}

// Load reads every .der, .cer, .crt and .pem file of dir (or the one file
// dir names) into a new store.
func Load(paths ...string) (*TrustStore, error) {
	ts := &TrustStore{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("trust store: %w", err)
		}
		files := []string{p}
		if st.IsDir() {
			files = nil
			ents, err := os.ReadDir(p)
			if err != nil {
				return nil, fmt.Errorf("trust store: %w", err)
			}
			for _, e := range ents {
				switch strings.ToLower(filepath.Ext(e.Name())) {
				case ".der", ".cer", ".crt", ".pem":
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("trust store: %w", err)
			}
			if err := ts.Add(b); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return ts, nil
}

// Name describes a certificate for reports: subject common name, country,
// serial number.
func Name(c *cms.Certificate) string {
	s := c.Subject.CommonName
	if len(c.Subject.Country) > 0 {
		s += " (" + c.Subject.Country[0] + ")"
	}
	return fmt.Sprintf("%s serial %X", s, c.SerialNumber)
}

// Verify runs passive authentication of files (raw bytes by data group
// number) against sod, at time now.
func Verify(sod *document.SOD, files map[int][]byte, ts *TrustStore, now time.Time) *document.PassiveAuthResult {
	r := &document.PassiveAuthResult{DataGroups: map[int]string{}, HashesOK: true}
	var dgs []int
	for n := range sod.Hashes {
		dgs = append(dgs, n)
	}
	sort.Ints(dgs)
	read := 0
	for _, n := range dgs {
		f, ok := files[n]
		switch {
		case !ok:
			r.DataGroups[n] = "not read"
		case bytes.Equal(cms.Digest(sod.Hash, f), sod.Hashes[n]):
			r.DataGroups[n] = "ok"
			read++
		default:
			r.DataGroups[n] = "mismatch"
			r.HashesOK = false
			r.Errors = append(r.Errors, fmt.Sprintf("DG%d hash does not match the SOD", n))
		}
	}
	for n := range files {
		if _, ok := sod.Hashes[n]; !ok && n > 0 {
			r.HashesOK = false
			r.Errors = append(r.Errors, fmt.Sprintf("DG%d is not listed in the SOD", n))
		}
	}
	if read == 0 {
		r.HashesOK = false
		r.Errors = append(r.Errors, "no data group hash checked")
	}
	sd := sod.SignedData
	signer, err := sd.SignerCertificate(0)
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
		return r
	}
	r.DocumentSigner = Name(signer)
	r.SignatureAlgorithm = cms.AlgorithmName(sd.Signers[0].SignatureAlgorithm, signer.PublicKey)
	if err := sd.VerifySigner(0, signer); err != nil {
		r.Errors = append(r.Errors, "SOD signature invalid: "+err.Error())
		return r
	}
	r.SignatureOK = true
	if !signer.ValidAt(now) {
		r.Errors = append(r.Errors, "document signer certificate not valid at "+now.UTC().Format(time.DateOnly))
	}
	if ts.Len() == 0 {
		r.Errors = append(r.Errors, "signature valid, issuer not in trust store (trust store empty)")
		return r
	}
	for _, a := range ts.anchors {
		if !signer.IssuedBy(a) {
			continue
		}
		if err := signer.CheckSignatureFrom(a); err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("document signer not signed by %s: %v", Name(a), err))
			continue
		}
		if !a.ValidAt(now) {
			r.Errors = append(r.Errors, fmt.Sprintf("CSCA %s not valid at %s", Name(a), now.UTC().Format(time.DateOnly)))
			continue
		}
		r.Anchor = Name(a)
		r.ChainOK = signer.ValidAt(now)
		return r
	}
	r.Errors = append(r.Errors, "signature valid, issuer not in trust store")
	return r
}
