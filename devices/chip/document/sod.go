package document

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/dinhdanh/dinhdanh/devices/chip/cms"
	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// SOD is EF.SOD: the signed list of data group hashes.
type SOD struct {
	SignedData *cms.SignedData
	Hash       crypto.Hash
	// Hashes maps data group numbers to their hash values.
	Hashes map[int][]byte
}

type ldsSecurityObject struct {
	Version       int
	HashAlgorithm pkix.AlgorithmIdentifier
	Hashes        []dgHash
	VersionInfo   asn1.RawValue `asn1:"optional"`
}

type dgHash struct {
	DataGroup int
	Hash      []byte
}

// ParseSOD decodes EF.SOD (tag 77) and its LDS security object.
func ParseSOD(b []byte) (*SOD, error) {
	v, err := tlv.Unwrap(b, 0x77)
	if err != nil {
		return nil, fmt.Errorf("EF.SOD: %w", err)
	}
	sd, err := cms.ParseSignedData(v)
	if err != nil {
		return nil, fmt.Errorf("EF.SOD: %w", err)
	}
	if !sd.ContentType.Equal(cms.OIDLDSSecurity) {
		return nil, fmt.Errorf("EF.SOD: content type %v is not an LDS security object", sd.ContentType)
	}
	var lso ldsSecurityObject
	if _, err := asn1.Unmarshal(sd.Content, &lso); err != nil {
		return nil, fmt.Errorf("EF.SOD: LDS security object: %w", err)
	}
	h, err := cms.HashByOID(lso.HashAlgorithm.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("EF.SOD: %w", err)
	}
	s := &SOD{SignedData: sd, Hash: h, Hashes: map[int][]byte{}}
	for _, d := range lso.Hashes {
		if d.DataGroup < 1 || d.DataGroup > 16 {
			return nil, fmt.Errorf("EF.SOD: data group number %d", d.DataGroup)
		}
		if len(d.Hash) != h.Size() {
			return nil, fmt.Errorf("EF.SOD: DG%d hash of %d bytes for %v", d.DataGroup, len(d.Hash), h)
		}
		s.Hashes[d.DataGroup] = d.Hash
	}
	return s, nil
}

// EncodeLDSSecurityObject builds the LDS security object for the files.
func EncodeLDSSecurityObject(h crypto.Hash, files map[int][]byte) ([]byte, error) {
	lso := ldsSecurityObject{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: cms.HashOID(h), Parameters: asn1.NullRawValue}}
	for n := 1; n <= 16; n++ {
		if f, ok := files[n]; ok {
			lso.Hashes = append(lso.Hashes, dgHash{DataGroup: n, Hash: cms.Digest(h, f)})
		}
	}
	return asn1.Marshal(lso)
}

// EncodeSOD wraps a CMS SignedData as EF.SOD.
func EncodeSOD(signedData []byte) []byte { return tlv.Encode(0x77, signedData) }
