package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	_ "crypto/sha1" // hash implementations named by OIDs
	_ "crypto/sha256"
	_ "crypto/sha512"

	"github.com/dinhdanh/dinhdanh/devices/chip/ecc"
)

// Algorithm OIDs.
var (
	OIDRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	OIDRSAPSS        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	OIDECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	OIDMGF1          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}

	OIDSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	OIDSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	OIDSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	OIDSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	OIDSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

var hashByOID = []struct {
	oid asn1.ObjectIdentifier
	h   crypto.Hash
}{{OIDSHA1, crypto.SHA1}, {OIDSHA224, crypto.SHA224}, {OIDSHA256, crypto.SHA256}, {OIDSHA384, crypto.SHA384}, {OIDSHA512, crypto.SHA512}}

// HashByOID maps a digest algorithm OID to its hash.
func HashByOID(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	for _, e := range hashByOID {
		if e.oid.Equal(oid) {
			return e.h, nil
		}
	}
	return 0, fmt.Errorf("unsupported digest algorithm %v", oid)
}

// HashOID maps a hash to its OID.
func HashOID(h crypto.Hash) asn1.ObjectIdentifier {
	for _, e := range hashByOID {
		if e.h == h {
			return e.oid
		}
	}
	return nil
}

type sigAlg struct {
	oid  asn1.ObjectIdentifier
	kind string // "rsa", "ecdsa"
	h    crypto.Hash
}

var sigAlgs = []sigAlg{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, "rsa", crypto.SHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}, "rsa", crypto.SHA224},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, "rsa", crypto.SHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, "rsa", crypto.SHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, "rsa", crypto.SHA512},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, "ecdsa", crypto.SHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}, "ecdsa", crypto.SHA224},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, "ecdsa", crypto.SHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, "ecdsa", crypto.SHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, "ecdsa", crypto.SHA512},
}

// SignatureOID returns the OID of kind ("rsa" or "ecdsa") with hash h.
func SignatureOID(kind string, h crypto.Hash) asn1.ObjectIdentifier {
	for _, a := range sigAlgs {
		if a.kind == kind && a.h == h {
			return a.oid
		}
	}
	return nil
}

// PSSParams is RSASSA-PSS-params (RFC 4055).
type PSSParams struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF          pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength   int                      `asn1:"optional,explicit,tag:2,default:20"`
	TrailerField int                      `asn1:"optional,explicit,tag:3,default:1"`
}

// AlgorithmName describes a signature algorithm for reports.
func AlgorithmName(alg pkix.AlgorithmIdentifier, pub any) string {
	name := alg.Algorithm.String()
	for _, a := range sigAlgs {
		if a.oid.Equal(alg.Algorithm) {
			name = a.kind + "-" + a.h.String()
		}
	}
	switch {
	case alg.Algorithm.Equal(OIDRSAPSS):
		name = "rsa-pss"
	case alg.Algorithm.Equal(OIDRSAEncryption):
		name = "rsa"
	}
	switch k := pub.(type) {
	case *ecc.PublicKey:
		name += " " + k.Curve.Name
	case *rsa.PublicKey:
		name += fmt.Sprintf(" %d-bit", k.N.BitLen())
	}
	return name
}

// VerifySignature checks sig over msg with pub under alg. digest names the
// hash when alg does not (rsaEncryption or id-ecPublicKey used as a
// signature algorithm in a SignerInfo).
func VerifySignature(pub any, alg pkix.AlgorithmIdentifier, digest crypto.Hash, msg, sig []byte) error {
	kind, h := "", crypto.Hash(0)
	var pss *PSSParams
	for _, a := range sigAlgs {
		if a.oid.Equal(alg.Algorithm) {
			kind, h = a.kind, a.h
		}
	}
	switch {
	case kind != "":
	case alg.Algorithm.Equal(OIDRSAEncryption):
		kind, h = "rsa", digest
	case alg.Algorithm.Equal(OIDECPublicKey):
		kind, h = "ecdsa", digest
	case alg.Algorithm.Equal(OIDRSAPSS):
		kind = "rsa-pss"
		pss = &PSSParams{SaltLength: 20, TrailerField: 1}
		if len(alg.Parameters.FullBytes) > 0 {
			if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, pss); err != nil {
				return fmt.Errorf("RSA-PSS parameters: %w", err)
			}
		}
		h = crypto.SHA1
		if len(pss.Hash.Algorithm) > 0 {
			var err error
			if h, err = HashByOID(pss.Hash.Algorithm); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unsupported signature algorithm %v", alg.Algorithm)
	}
	if h == 0 || !h.Available() {
		return errors.New("signature hash unknown")
	}
	hh := h.New()
	hh.Write(msg)
	d := hh.Sum(nil)
	switch kind {
	case "rsa", "rsa-pss":
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s signature with a %T key", kind, pub)
		}
		if kind == "rsa" {
			return rsa.VerifyPKCS1v15(k, h, d, sig)
		}
		return rsa.VerifyPSS(k, h, d, sig, &rsa.PSSOptions{SaltLength: pss.SaltLength, Hash: h})
	case "ecdsa":
		switch k := pub.(type) {
		case *ecc.PublicKey:
			if !ecc.VerifyASN1(k, d, sig) {
				return errors.New("ECDSA signature invalid")
			}
			return nil
		case *ecdsa.PublicKey:
			if !ecdsa.VerifyASN1(k, d, sig) {
				return errors.New("ECDSA signature invalid")
			}
			return nil
		}
		return fmt.Errorf("ECDSA signature with a %T key", pub)
	}
	return errors.New("unreachable")
}

type spki struct {
	Algorithm pkix.AlgorithmIdentifier
	Key       asn1.BitString
}

// ParsePublicKey reads a SubjectPublicKeyInfo: RSA (also under the RSA-PSS
// OID) as *rsa.PublicKey, EC on any prime curve as *ecc.PublicKey.
func ParsePublicKey(der []byte) (any, error) {
	var s spki
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("public key: trailing data")
	}
	switch a := s.Algorithm.Algorithm; {
	case a.Equal(OIDRSAEncryption), a.Equal(OIDRSAPSS):
		k, err := x509.ParsePKCS1PublicKey(s.Key.RightAlign())
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		return k, nil
	case a.Equal(OIDECPublicKey):
		c, err := ecc.ParseParameters(s.Algorithm.Parameters.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		x, y, err := c.Unmarshal(s.Key.RightAlign())
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		return &ecc.PublicKey{Curve: c, X: x, Y: y}, nil
	default:
		return nil, fmt.Errorf("public key: unsupported algorithm %v", a)
	}
}

// MarshalPublicKey encodes an *ecc.PublicKey (named curve) or a standard
// library key as SubjectPublicKeyInfo.
func MarshalPublicKey(pub any) ([]byte, error) {
	k, ok := pub.(*ecc.PublicKey)
	if !ok {
		return x509.MarshalPKIXPublicKey(pub)
	}
	params, err := k.Curve.MarshalParameters()
	if err != nil {
		return nil, err
	}
	pt := k.Curve.Marshal(k.X, k.Y)
	return asn1.Marshal(spki{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: OIDECPublicKey, Parameters: asn1.RawValue{FullBytes: params}},
		Key:       asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)},
	})
}

var _ = big.NewInt
