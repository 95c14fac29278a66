// Package cms parses the CMS SignedData of an eMRTD's EF.SOD (RFC 5652) and
// the X.509 certificates of its signers, and verifies their RSA,
// RSA-PSS and ECDSA signatures — including ECDSA over brainpool curves and
// explicit curve parameters, which crypto/x509 refuses to parse.
package cms

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Certificate is the part of an X.509 certificate passive authentication
// needs. Raw fields keep the DER so that names compare byte for byte.
type Certificate struct {
	Raw                []byte
	RawTBS             []byte
	SerialNumber       *big.Int
	RawIssuer          []byte
	RawSubject         []byte
	Issuer, Subject    pkix.Name
	NotBefore          time.Time
	NotAfter           time.Time
	PublicKey          any // *rsa.PublicKey or *ecc.PublicKey
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	SubjectKeyID       []byte
	AuthorityKeyID     []byte
}

type certificateASN struct {
	TBS    tbsASN
	SigAlg pkix.AlgorithmIdentifier
	Sig    asn1.BitString
}

type tbsASN struct {
	Raw        asn1.RawContent
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	SigAlg     pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validity
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	IssuerUID  asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString   `asn1:"optional,tag:2"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

type validity struct {
	NotBefore, NotAfter time.Time
}

var (
	oidSubjectKeyID   = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
)

// ParseCertificate parses one DER certificate.
func ParseCertificate(der []byte) (*Certificate, error) {
	var c certificateASN
	rest, err := asn1.Unmarshal(der, &c)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("certificate: trailing data")
	}
	if c.TBS.Serial == nil {
		return nil, errors.New("certificate: no serial number")
	}
	out := &Certificate{
		Raw:                der[:len(der)-len(rest)],
		RawTBS:             c.TBS.Raw,
		SerialNumber:       c.TBS.Serial,
		RawIssuer:          c.TBS.Issuer.FullBytes,
		RawSubject:         c.TBS.Subject.FullBytes,
		NotBefore:          c.TBS.Validity.NotBefore,
		NotAfter:           c.TBS.Validity.NotAfter,
		SignatureAlgorithm: c.SigAlg,
		Signature:          c.Sig.RightAlign(),
	}
	for _, n := range []struct {
		raw []byte
		dst *pkix.Name
	}{{out.RawIssuer, &out.Issuer}, {out.RawSubject, &out.Subject}} {
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(n.raw, &rdn); err != nil {
			return nil, fmt.Errorf("certificate: name: %w", err)
		}
		n.dst.FillFromRDNSequence(&rdn)
	}
	if out.PublicKey, err = ParsePublicKey(c.TBS.SPKI.FullBytes); err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	for _, e := range c.TBS.Extensions {
		switch {
		case e.Id.Equal(oidSubjectKeyID):
			var ski []byte
			if _, err := asn1.Unmarshal(e.Value, &ski); err == nil {
				out.SubjectKeyID = ski
			}
		case e.Id.Equal(oidAuthorityKeyID):
			var aki struct {
				ID []byte `asn1:"optional,tag:0"`
			}
			if _, err := asn1.Unmarshal(e.Value, &aki); err == nil {
				out.AuthorityKeyID = aki.ID
			}
		}
	}
	return out, nil
}

// CheckSignatureFrom verifies that parent's key signed c.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	return VerifySignature(parent.PublicKey, c.SignatureAlgorithm, 0, c.RawTBS, c.Signature)
}

// IssuedBy reports whether c names parent as its issuer: by key identifier
// when both carry one, else by the DER of the names.
func (c *Certificate) IssuedBy(parent *Certificate) bool {
	if len(c.AuthorityKeyID) > 0 && len(parent.SubjectKeyID) > 0 {
		return bytes.Equal(c.AuthorityKeyID, parent.SubjectKeyID)
	}
	return bytes.Equal(c.RawIssuer, parent.RawSubject)
}

// ValidAt reports whether t lies within the certificate's validity period.
func (c *Certificate) ValidAt(t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}
