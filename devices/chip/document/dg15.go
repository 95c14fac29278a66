package document

import (
	"fmt"

	"github.com/dinhdanh/dinhdanh/devices/chip/cms"
	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// DG15 holds the active authentication public key.
type DG15 struct {
	PublicKey any // *rsa.PublicKey or *ecc.PublicKey
	SPKI      []byte
}

// ParseDG15 decodes DG15 (tag 6F) holding a SubjectPublicKeyInfo.
func ParseDG15(b []byte) (*DG15, error) {
	v, err := tlv.Unwrap(b, 0x6F)
	if err != nil {
		return nil, fmt.Errorf("DG15: %w", err)
	}
	k, err := cms.ParsePublicKey(v)
	if err != nil {
		return nil, fmt.Errorf("DG15: %w", err)
	}
	return &DG15{PublicKey: k, SPKI: v}, nil
}

// ParseDG14 checks that DG14 (tag 6E, security infos for chip
// authentication and PACE) is well formed and returns its SET.
func ParseDG14(b []byte) ([]byte, error) {
	v, err := tlv.Unwrap(b, 0x6E)
	if err != nil {
		return nil, fmt.Errorf("DG14: %w", err)
	}
	if _, err := tlv.Unwrap(v, 0x31); err != nil {
		return nil, fmt.Errorf("DG14: %w", err)
	}
	return v, nil
}
