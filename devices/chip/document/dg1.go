package document

import (
	"fmt"

	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// ParseDG1 decodes DG1 (tag 61) holding the MRZ in 5F1F.
func ParseDG1(b []byte) (*mrz.MRZ, error) {
	v, err := tlv.Unwrap(b, 0x61)
	if err != nil {
		return nil, fmt.Errorf("DG1: %w", err)
	}
	data, ok := tlv.Find(v, 0x5F1F)
	if !ok {
		return nil, fmt.Errorf("DG1: no MRZ data object")
	}
	m, err := mrz.Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("DG1: %w", err)
	}
	return m, nil
}

// EncodeDG1 wraps MRZ text (lines concatenated, no newlines) as DG1.
func EncodeDG1(mrzText string) []byte {
	return tlv.Encode(0x61, tlv.Encode(0x5F1F, []byte(mrzText)))
}
