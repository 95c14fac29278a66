package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/ecc"
)

// Signer signs messages for the certificates and SignedData this package
// builds: the chip simulator's test CSCA and document signer.
type Signer struct {
	Algorithm pkix.AlgorithmIdentifier
	Hash      crypto.Hash
	Public    any
	sign      func(digest []byte) ([]byte, error)
}

// Sign hashes msg and signs it.
func (s *Signer) Sign(msg []byte) ([]byte, error) { return s.sign(Digest(s.Hash, msg)) }

// NewSigner wraps *ecc.PrivateKey, *ecdsa.PrivateKey or *rsa.PrivateKey;
// pss selects RSASSA-PSS for RSA keys.
func NewSigner(key any, h crypto.Hash, pss bool) (*Signer, error) {
	switch k := key.(type) {
	case *ecc.PrivateKey:
		return &Signer{Algorithm: pkix.AlgorithmIdentifier{Algorithm: SignatureOID("ecdsa", h)}, Hash: h, Public: &k.PublicKey,
			sign: func(d []byte) ([]byte, error) { return ecc.SignASN1(k, d, nil) }}, nil
	case *ecdsa.PrivateKey:
		return &Signer{Algorithm: pkix.AlgorithmIdentifier{Algorithm: SignatureOID("ecdsa", h)}, Hash: h, Public: &k.PublicKey,
			sign: func(d []byte) ([]byte, error) { return ecdsa.SignASN1(rand.Reader, k, d) }}, nil
	case *rsa.PrivateKey:
		if !pss {
			return &Signer{Algorithm: pkix.AlgorithmIdentifier{Algorithm: SignatureOID("rsa", h)}, Hash: h, Public: &k.PublicKey,
				sign: func(d []byte) ([]byte, error) { return rsa.SignPKCS1v15(rand.Reader, k, h, d) }}, nil
		}
		hashAlg := pkix.AlgorithmIdentifier{Algorithm: HashOID(h), Parameters: asn1.NullRawValue}
		hashDER, _ := asn1.Marshal(hashAlg)
		params, err := asn1.Marshal(PSSParams{
			Hash:         hashAlg,
			MGF:          pkix.AlgorithmIdentifier{Algorithm: OIDMGF1, Parameters: asn1.RawValue{FullBytes: hashDER}},
			SaltLength:   h.Size(),
			TrailerField: 1,
		})
		if err != nil {
			return nil, err
		}
		return &Signer{Algorithm: pkix.AlgorithmIdentifier{Algorithm: OIDRSAPSS, Parameters: asn1.RawValue{FullBytes: params}}, Hash: h, Public: &k.PublicKey,
			sign: func(d []byte) ([]byte, error) {
				return rsa.SignPSS(rand.Reader, k, h, d, &rsa.PSSOptions{SaltLength: h.Size(), Hash: h})
			}}, nil
	}
	return nil, fmt.Errorf("cms: unsupported key %T", key)
}

// Template describes a certificate to create.
type Template struct {
	Serial              *big.Int
	Subject             pkix.Name
	NotBefore, NotAfter time.Time
	IsCA                bool
	SubjectKeyID        []byte
}

type basicConstraints struct {
	IsCA bool `asn1:"optional"`
}

type tbsOut struct {
	Version    int `asn1:"explicit,tag:0"`
	Serial     *big.Int
	SigAlg     pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validity
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	Extensions []pkix.Extension `asn1:"explicit,tag:3"`
}

type certOut struct {
	TBS    asn1.RawValue
	SigAlg pkix.AlgorithmIdentifier
	Sig    asn1.BitString
}

// CreateCertificate builds a DER certificate for pub signed by issuer.
// A nil parent makes it self-signed.
func CreateCertificate(t Template, pub any, parent *Certificate, issuer *Signer) ([]byte, error) {
	spkiDER, err := MarshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	subject, err := asn1.Marshal(t.Subject.ToRDNSequence())
	if err != nil {
		return nil, err
	}
	issuerName := subject
	var aki []byte
	if parent != nil {
		issuerName, aki = parent.RawSubject, parent.SubjectKeyID
	} else {
		aki = t.SubjectKeyID
	}
	bc, _ := asn1.Marshal(basicConstraints{IsCA: t.IsCA})
	exts := []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: bc}}
	if t.SubjectKeyID != nil {
		v, _ := asn1.Marshal(t.SubjectKeyID)
		exts = append(exts, pkix.Extension{Id: oidSubjectKeyID, Value: v})
	}
	if aki != nil {
		v, _ := asn1.Marshal(struct {
			ID []byte `asn1:"tag:0"`
		}{aki})
		exts = append(exts, pkix.Extension{Id: oidAuthorityKeyID, Value: v})
	}
	tbs, err := asn1.Marshal(tbsOut{
		Version: 2, Serial: t.Serial, SigAlg: issuer.Algorithm,
		Issuer: asn1.RawValue{FullBytes: issuerName}, Validity: validity{t.NotBefore.UTC(), t.NotAfter.UTC()},
		Subject: asn1.RawValue{FullBytes: subject}, SPKI: asn1.RawValue{FullBytes: spkiDER}, Extensions: exts,
	})
	if err != nil {
		return nil, err
	}
	sig, err := issuer.Sign(tbs)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(certOut{TBS: asn1.RawValue{FullBytes: tbs}, SigAlg: issuer.Algorithm, Sig: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
}

type signerInfoOut struct {
	Version            int
	SID                issuerAndSerial
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

type signedDataOut struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo encapOut
	Certificates     asn1.RawValue
	SignerInfos      []signerInfoOut `asn1:"set"`
}

type encapOut struct {
	EContentType asn1.ObjectIdentifier
	EContent     []byte `asn1:"explicit,tag:0"`
}

type attributeOut struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

// Sign builds a DER ContentInfo with SignedData over content, signed by
// signer whose certificate (DER) is embedded.
func Sign(contentType asn1.ObjectIdentifier, content []byte, certDER []byte, signer *Signer) ([]byte, error) {
	cert, err := ParseCertificate(certDER)
	if err != nil {
		return nil, err
	}
	ct, _ := asn1.Marshal(contentType)
	md, _ := asn1.Marshal(Digest(signer.Hash, content))
	attrs, err := asn1.Marshal(struct {
		A []attributeOut `asn1:"set"`
	}{[]attributeOut{
		{Type: OIDContentType, Values: []asn1.RawValue{{FullBytes: ct}}},
		{Type: OIDMessageDigest, Values: []asn1.RawValue{{FullBytes: md}}},
	}})
	if err != nil {
		return nil, err
	}
	// attrs is SEQUENCE { SET {...} }: take the SET, sign it, store it as [0].
	var wrapper asn1.RawValue
	asn1.Unmarshal(attrs, &wrapper)
	set := wrapper.Bytes
	sig, err := signer.Sign(set)
	if err != nil {
		return nil, err
	}
	implicit := append([]byte{0xA0}, set[1:]...)
	digestAlg := pkix.AlgorithmIdentifier{Algorithm: HashOID(signer.Hash), Parameters: asn1.NullRawValue}
	certs, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: certDER})
	sd, err := asn1.Marshal(signedDataOut{
		Version:          3,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{digestAlg},
		EncapContentInfo: encapOut{EContentType: contentType, EContent: content},
		Certificates:     asn1.RawValue{FullBytes: certs},
		SignerInfos: []signerInfoOut{{
			Version:            1,
			SID:                issuerAndSerial{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, Serial: cert.SerialNumber},
			DigestAlgorithm:    digestAlg,
			SignedAttrs:        asn1.RawValue{FullBytes: implicit},
			SignatureAlgorithm: signer.Algorithm,
			Signature:          sig,
		}},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue
	}{OIDSignedData, asn1.RawValue{FullBytes: mustExplicit0(sd)}})
}

func mustExplicit0(b []byte) []byte {
	out, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: b})
	return out
}
