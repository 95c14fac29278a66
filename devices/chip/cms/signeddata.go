package cms

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// OIDs of CMS content types and attributes.
var (
	OIDSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDLDSSecurity   = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}
)

// SignedData is a parsed CMS SignedData with one or more signers.
type SignedData struct {
	ContentType  asn1.ObjectIdentifier
	Content      []byte
	Certificates []*Certificate
	Signers      []SignerInfo
}

// SignerInfo is one signer of a SignedData.
type SignerInfo struct {
	IssuerRaw          []byte   // issuer of the signer's certificate, DER
	Serial             *big.Int // its serial number
	SubjectKeyID       []byte   // or its key identifier
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        []byte // DER with the SET tag, the bytes that are signed
	ContentTypeAttr    asn1.ObjectIdentifier
	MessageDigest      []byte
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedDataASN struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type signerInfoASN struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

// elements splits the contents of a constructed value into its children.
func elements(b []byte) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		b = rest
	}
	return out, nil
}

// ParseSignedData parses a DER ContentInfo holding SignedData.
func ParseSignedData(der []byte) (*SignedData, error) {
	var ci contentInfo
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, fmt.Errorf("cms: content info: %w", err)
	}
	if !ci.ContentType.Equal(OIDSignedData) {
		return nil, fmt.Errorf("cms: content type %v is not signed data", ci.ContentType)
	}
	var sd signedDataASN
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("cms: signed data: %w", err)
	}
	out := &SignedData{ContentType: sd.EncapContentInfo.EContentType}
	ec := sd.EncapContentInfo.EContent
	if ec.Class == asn1.ClassContextSpecific && ec.Tag == 0 && ec.IsCompound {
		// encoding/asn1 hands a RawValue over with its explicit tag.
		if _, err := asn1.Unmarshal(ec.Bytes, &ec); err != nil {
			return nil, fmt.Errorf("cms: content: %w", err)
		}
	}
	switch {
	case len(ec.FullBytes) == 0:
		return nil, errors.New("cms: no encapsulated content")
	case ec.Tag == asn1.TagOctetString && !ec.IsCompound:
		out.Content = ec.Bytes
	case ec.Tag == asn1.TagOctetString:
		// BER constructed OCTET STRING: concatenate the segments.
		parts, err := elements(ec.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cms: content: %w", err)
		}
		for _, p := range parts {
			out.Content = append(out.Content, p.Bytes...)
		}
	default:
		return nil, errors.New("cms: content is not an OCTET STRING")
	}
	if len(sd.Certificates.Bytes) > 0 {
		certs, err := elements(sd.Certificates.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cms: certificates: %w", err)
		}
		for _, c := range certs {
			if c.Tag != asn1.TagSequence {
				continue // attribute certificates and others
			}
			cert, err := ParseCertificate(c.FullBytes)
			if err != nil {
				return nil, fmt.Errorf("cms: %w", err)
			}
			out.Certificates = append(out.Certificates, cert)
		}
	}
	sis, err := elements(sd.SignerInfos.Bytes)
	if err != nil {
		return nil, fmt.Errorf("cms: signer infos: %w", err)
	}
	for _, raw := range sis {
		si, err := parseSignerInfo(raw.FullBytes)
		if err != nil {
			return nil, err
		}
		out.Signers = append(out.Signers, si)
	}
	if len(out.Signers) == 0 {
		return nil, errors.New("cms: no signer")
	}
	return out, nil
}

func parseSignerInfo(der []byte) (SignerInfo, error) {
	var s signerInfoASN
	if _, err := asn1.Unmarshal(der, &s); err != nil {
		return SignerInfo{}, fmt.Errorf("cms: signer info: %w", err)
	}
	out := SignerInfo{DigestAlgorithm: s.DigestAlgorithm, SignatureAlgorithm: s.SignatureAlgorithm, Signature: s.Signature}
	switch {
	case s.SID.Class == asn1.ClassUniversal && s.SID.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if _, err := asn1.Unmarshal(s.SID.FullBytes, &ias); err != nil {
			return SignerInfo{}, fmt.Errorf("cms: signer identifier: %w", err)
		}
		out.IssuerRaw, out.Serial = ias.Issuer.FullBytes, ias.Serial
	case s.SID.Class == asn1.ClassContextSpecific && s.SID.Tag == 0:
		out.SubjectKeyID = s.SID.Bytes
	default:
		return SignerInfo{}, errors.New("cms: unknown signer identifier")
	}
	if len(s.SignedAttrs.FullBytes) > 0 {
		// The signature covers the attributes with their universal SET tag.
		out.SignedAttrs = append([]byte{0x31}, s.SignedAttrs.FullBytes[1:]...)
		attrs, err := elements(s.SignedAttrs.Bytes)
		if err != nil {
			return SignerInfo{}, fmt.Errorf("cms: signed attributes: %w", err)
		}
		for _, a := range attrs {
			var at attribute
			if _, err := asn1.Unmarshal(a.FullBytes, &at); err != nil {
				return SignerInfo{}, fmt.Errorf("cms: attribute: %w", err)
			}
			switch {
			case at.Type.Equal(OIDMessageDigest):
				if _, err := asn1.Unmarshal(at.Values.Bytes, &out.MessageDigest); err != nil {
					return SignerInfo{}, fmt.Errorf("cms: message digest: %w", err)
				}
			case at.Type.Equal(OIDContentType):
				if _, err := asn1.Unmarshal(at.Values.Bytes, &out.ContentTypeAttr); err != nil {
					return SignerInfo{}, fmt.Errorf("cms: content type attribute: %w", err)
				}
			}
		}
	}
	return out, nil
}

// SignerCertificate finds the certificate of signer i among those carried
// in the SignedData.
func (sd *SignedData) SignerCertificate(i int) (*Certificate, error) {
	si := sd.Signers[i]
	for _, c := range sd.Certificates {
		if si.Serial != nil && c.SerialNumber.Cmp(si.Serial) == 0 && bytes.Equal(c.RawIssuer, si.IssuerRaw) {
			return c, nil
		}
		if si.SubjectKeyID != nil && bytes.Equal(c.SubjectKeyID, si.SubjectKeyID) {
			return c, nil
		}
	}
	return nil, errors.New("cms: signer's certificate not in the signed data")
}

// VerifySigner checks signer i's signature with cert: the message digest
// attribute against the content, then the signature over the attributes
// (or over the content when there are none).
func (sd *SignedData) VerifySigner(i int, cert *Certificate) error {
	si := sd.Signers[i]
	h, err := HashByOID(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return fmt.Errorf("cms: %w", err)
	}
	msg := sd.Content
	if si.SignedAttrs != nil {
		hh := h.New()
		hh.Write(sd.Content)
		if !bytes.Equal(hh.Sum(nil), si.MessageDigest) {
			return errors.New("cms: message digest attribute does not match the content")
		}
		if si.ContentTypeAttr != nil && !si.ContentTypeAttr.Equal(sd.ContentType) {
			return errors.New("cms: content type attribute does not match")
		}
		msg = si.SignedAttrs
	}
	if err := VerifySignature(cert.PublicKey, si.SignatureAlgorithm, h, msg, si.Signature); err != nil {
		return fmt.Errorf("cms: signature: %w", err)
	}
	return nil
}

// Digest hashes b with h.
func Digest(h crypto.Hash, b []byte) []byte {
	hh := h.New()
	hh.Write(b)
	return hh.Sum(nil)
}
