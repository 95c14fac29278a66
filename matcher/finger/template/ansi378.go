package template

import (
	"encoding/binary"
	"fmt"
)

// MarshalANSI encodes t as an ANSI INCITS 378-2004 finger minutiae record
// with one finger view, no extended data and a zero CBEFF product ID.
func MarshalANSI(t *Template) ([]byte, error) {
	if len(t.Minutiae) > 255 {
		return nil, fmt.Errorf("ansi 378: %d minutiae, at most 255", len(t.Minutiae))
	}
	body := 4 + 6*len(t.Minutiae) + 2
	n := 26 + body
	long := n > 0xffff
	if long {
		n += 4
	}
	b := make([]byte, 0, n)
	b = append(b, "FMR\x00 20\x00"...)
	if long {
		b = binary.BigEndian.AppendUint16(b, 0)
		b = binary.BigEndian.AppendUint32(b, uint32(n))
	} else {
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	}
	b = binary.BigEndian.AppendUint32(b, 0) // CBEFF product ID
	return appendView(b, t, 180, "ansi 378")
}

// ParseANSI decodes an ANSI INCITS 378-2004 record (short or long length
// form). Only the first finger view is returned.
func ParseANSI(b []byte) (*Template, error) {
	if len(b) < 26 {
		return nil, fmt.Errorf("ansi 378: %d bytes, header needs 26: %w", len(b), ErrCorrupt)
	}
	if string(b[:8]) != "FMR\x00 20\x00" {
		return nil, fmt.Errorf("ansi 378: bad magic %q: %w", b[:8], ErrCorrupt)
	}
	total, p := uint64(binary.BigEndian.Uint16(b[8:])), b[10:]
	if total == 0 {
		if len(b) < 30 {
			return nil, fmt.Errorf("ansi 378: long header truncated: %w", ErrCorrupt)
		}
		total, p = uint64(binary.BigEndian.Uint32(b[10:])), b[14:]
	}
	if total != uint64(len(b)) {
		return nil, fmt.Errorf("ansi 378: length field %d, have %d bytes: %w", total, len(b), ErrCorrupt)
	}
	p = p[4:] // CBEFF product ID
	t := &Template{
		Width:  int(binary.BigEndian.Uint16(p[2:])),
		Height: int(binary.BigEndian.Uint16(p[4:])),
		PPI:    ppiFromPPCM(int(binary.BigEndian.Uint16(p[6:]))),
	}
	views := int(p[10])
	if views == 0 {
		return nil, fmt.Errorf("ansi 378: no finger views: %w", ErrCorrupt)
	}
	return t, parseViews(p[12:], views, t, 180, "ansi 378")
}
