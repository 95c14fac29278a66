// Package tlv reads and writes BER-TLV as used by ISO 7816-4 and ICAO 9303:
// tags of one to three bytes and definite lengths of up to four bytes.
package tlv

import (
	"errors"
	"fmt"
)

// ErrTruncated reports input that ends inside a tag, length or value.
var ErrTruncated = errors.New("tlv: truncated")

// maxLen bounds a declared length; nothing on an eMRTD comes near 16 MiB.
const maxLen = 1 << 24

// TLV is one decoded data object. Value aliases the input.
type TLV struct {
	Tag   uint32
	Value []byte
}

// Constructed reports whether the tag's encoding marks a constructed object.
func (t TLV) Constructed() bool { return Constructed(t.Tag) }

// Constructed reports whether tag is constructed (bit 6 of its first byte).
func Constructed(tag uint32) bool {
	for tag > 0xFF {
		tag >>= 8
	}
	return tag&0x20 != 0
}

// Decode reads one data object from b and returns it with the bytes after it.
func Decode(b []byte) (TLV, []byte, error) {
	tag, n, err := readTag(b)
	if err != nil {
		return TLV{}, nil, err
	}
	b = b[n:]
	l, n, err := ReadLength(b)
	if err != nil {
		return TLV{}, nil, fmt.Errorf("tag %X: %w", tag, err)
	}
	b = b[n:]
	if l > len(b) {
		return TLV{}, nil, fmt.Errorf("tag %X: length %d, %d bytes left: %w", tag, l, len(b), ErrTruncated)
	}
	return TLV{Tag: tag, Value: b[:l:l]}, b[l:], nil
}

// Header returns the tag, the value length and the header size of the data
// object starting at b without requiring its value to be present: used to
// learn a file's size from its first bytes.
func Header(b []byte) (tag uint32, length, headerLen int, err error) {
	tag, n, err := readTag(b)
	if err != nil {
		return 0, 0, 0, err
	}
	l, m, err := ReadLength(b[n:])
	if err != nil {
		return 0, 0, 0, err
	}
	return tag, l, n + m, nil
}

// DecodeAll reads consecutive data objects until b is used up.
func DecodeAll(b []byte) ([]TLV, error) {
	var out []TLV
	for len(b) > 0 {
		t, rest, err := Decode(b)
		if err != nil {
			return out, err
		}
		out = append(out, t)
		b = rest
	}
	return out, nil
}

// Find returns the value of the first top-level object in b with tag.
func Find(b []byte, tag uint32) ([]byte, bool) {
	all, _ := DecodeAll(b)
	for _, t := range all {
		if t.Tag == tag {
			return t.Value, true
		}
	}
	return nil, false
}

// Unwrap decodes b as exactly one object with the given tag and returns its value.
func Unwrap(b []byte, tag uint32) ([]byte, error) {
	t, rest, err := Decode(b)
	if err != nil {
		return nil, err
	}
	if t.Tag != tag {
		return nil, fmt.Errorf("tlv: tag %X, want %X", t.Tag, tag)
	}
	_ = rest // trailing bytes are tolerated: files are often padded
	return t.Value, nil
}

func readTag(b []byte) (uint32, int, error) {
	if len(b) == 0 {
		return 0, 0, ErrTruncated
	}
	tag := uint32(b[0])
	if b[0]&0x1F != 0x1F {
		return tag, 1, nil
	}
	for i := 1; i < 3; i++ {
		if i >= len(b) {
			return 0, 0, ErrTruncated
		}
		tag = tag<<8 | uint32(b[i])
		if b[i]&0x80 == 0 {
			return tag, i + 1, nil
		}
	}
	return 0, 0, errors.New("tlv: tag longer than 3 bytes")
}

// ReadLength decodes a BER definite length and returns it with its size.
func ReadLength(b []byte) (int, int, error) {
	if len(b) == 0 {
		return 0, 0, ErrTruncated
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, nil
	}
	n := int(b[0] & 0x7F)
	if n == 0 {
		return 0, 0, errors.New("tlv: indefinite length not allowed")
	}
	if n > 4 {
		return 0, 0, fmt.Errorf("tlv: %d-byte length", n)
	}
	if len(b) < 1+n {
		return 0, 0, ErrTruncated
	}
	l := 0
	for _, c := range b[1 : 1+n] {
		l = l<<8 | int(c)
	}
	if l > maxLen {
		return 0, 0, fmt.Errorf("tlv: length %d too large", l)
	}
	return l, 1 + n, nil
}

// EncodeLength returns the BER definite-length encoding of n.
func EncodeLength(n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n <= 0xFF:
		return []byte{0x81, byte(n)}
	case n <= 0xFFFF:
		return []byte{0x82, byte(n >> 8), byte(n)}
	case n <= 0xFFFFFF:
		return []byte{0x83, byte(n >> 16), byte(n >> 8), byte(n)}
	default:
		return []byte{0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
}

// Encode returns tag, length and the concatenated values.
func Encode(tag uint32, values ...[]byte) []byte {
	n := 0
	for _, v := range values {
		n += len(v)
	}
	var out []byte
	switch {
	case tag > 0xFFFF:
		out = append(out, byte(tag>>16), byte(tag>>8), byte(tag))
	case tag > 0xFF:
		out = append(out, byte(tag>>8), byte(tag))
	default:
		out = append(out, byte(tag))
	}
	out = append(out, EncodeLength(n)...)
	for _, v := range values {
		out = append(out, v...)
	}
	return out
}
