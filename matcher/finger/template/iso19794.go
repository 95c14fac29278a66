package template

import (
	"encoding/binary"
	"fmt"
	"math"
)

// isoHeaderLen is the fixed header of an ISO/IEC 19794-2:2005 record.
const isoHeaderLen = 24

// MarshalISO encodes t as an ISO/IEC 19794-2:2005 finger minutiae record
// with one finger view and no extended data.
func MarshalISO(t *Template) ([]byte, error) {
	if len(t.Minutiae) > 255 {
		return nil, fmt.Errorf("iso 19794-2: %d minutiae, at most 255", len(t.Minutiae))
	}
	n := isoHeaderLen + 4 + 6*len(t.Minutiae) + 2
	b := make([]byte, 0, n)
	b = append(b, "FMR\x00 20\x00"...)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	return appendView(b, t, 256, "iso 19794-2")
}

// ParseISO decodes an ISO/IEC 19794-2:2005 record. Only the first finger
// view is returned; extended data blocks are checked for length and skipped.
func ParseISO(b []byte) (*Template, error) {
	if len(b) < isoHeaderLen {
		return nil, fmt.Errorf("iso 19794-2: %d bytes, header needs %d: %w", len(b), isoHeaderLen, ErrCorrupt)
	}
	if string(b[:8]) != "FMR\x00 20\x00" {
		return nil, fmt.Errorf("iso 19794-2: bad magic %q: %w", b[:8], ErrCorrupt)
	}
	total := binary.BigEndian.Uint32(b[8:])
	if uint64(total) != uint64(len(b)) {
		return nil, fmt.Errorf("iso 19794-2: length field %d, have %d bytes: %w", total, len(b), ErrCorrupt)
	}
	t := &Template{
		Width:  int(binary.BigEndian.Uint16(b[14:])),
		Height: int(binary.BigEndian.Uint16(b[16:])),
		PPI:    ppiFromPPCM(int(binary.BigEndian.Uint16(b[18:]))),
	}
	views := int(b[22])
	if views == 0 {
		return nil, fmt.Errorf("iso 19794-2: no finger views: %w", ErrCorrupt)
	}
	return t, parseViews(b[isoHeaderLen:], views, t, 256, "iso 19794-2")
}

// parseViews reads finger views shared by ISO and ANSI records; angleUnits
// is the number of angle steps in a full turn (256 ISO, 180 ANSI).
func parseViews(p []byte, views int, t *Template, angleUnits int, std string) error {
	for v := 0; v < views; v++ {
		if len(p) < 4 {
			return fmt.Errorf("%s: view %d header truncated: %w", std, v, ErrCorrupt)
		}
		pos, q, n := p[0], p[2], int(p[3])
		p = p[4:]
		if len(p) < 6*n+2 {
			return fmt.Errorf("%s: view %d: %d minutiae truncated: %w", std, v, n, ErrCorrupt)
		}
		var ms []Minutia
		if v == 0 {
			ms = make([]Minutia, 0, n)
		}
		for i := 0; i < n; i++ {
			r := p[6*i:]
			xw, yw := binary.BigEndian.Uint16(r), binary.BigEndian.Uint16(r[2:])
			a := int(r[4])
			if a >= angleUnits {
				return fmt.Errorf("%s: minutia %d angle %d out of range: %w", std, i, a, ErrCorrupt)
			}
			if r[5] > 100 {
				return fmt.Errorf("%s: minutia %d quality %d over 100: %w", std, i, r[5], ErrCorrupt)
			}
			if v == 0 {
				ms = append(ms, Minutia{
					X: int(xw & 0x3fff), Y: int(yw & 0x3fff), Kind: Kind(xw >> 14),
					Angle: float64(a) * 2 * math.Pi / float64(angleUnits), Quality: r[5],
				})
			}
		}
		p = p[6*n:]
		ext := int(binary.BigEndian.Uint16(p))
		p = p[2:]
		if ext > len(p) {
			return fmt.Errorf("%s: view %d extended data of %d bytes truncated: %w", std, v, ext, ErrCorrupt)
		}
		if err := checkExtended(p[:ext], std); err != nil {
			return err
		}
		p = p[ext:]
		if v == 0 {
			t.Position, t.Quality, t.Minutiae = pos, q, ms
		}
	}
	if len(p) != 0 {
		return fmt.Errorf("%s: %d trailing bytes: %w", std, len(p), ErrCorrupt)
	}
	return nil
}

func checkExtended(p []byte, std string) error {
	for len(p) > 0 {
		if len(p) < 4 {
			return fmt.Errorf("%s: extended block header truncated: %w", std, ErrCorrupt)
		}
		l := int(binary.BigEndian.Uint16(p[2:]))
		// The block length counts its own 4-byte header in ISO 19794-2:2005.
		if l < 4 || l > len(p) {
			return fmt.Errorf("%s: extended block length %d: %w", std, l, ErrCorrupt)
		}
		p = p[l:]
	}
	return nil
}

// appendView appends what ISO 19794-2 and ANSI 378 share after their
// length fields: capture equipment, image size and resolution, one finger
// view with its minutiae, and an empty extended-data block. The formats
// differ only in the angle unit: 360°/256 for ISO, 2° (180 steps) for ANSI.
func appendView(b []byte, t *Template, angleSteps int, format string) ([]byte, error) {
	b = binary.BigEndian.AppendUint16(b, 0) // capture equipment
	b = binary.BigEndian.AppendUint16(b, uint16(t.Width))
	b = binary.BigEndian.AppendUint16(b, uint16(t.Height))
	c := uint16(ppcm(t.PPI))
	b = binary.BigEndian.AppendUint16(b, c)
	b = binary.BigEndian.AppendUint16(b, c)
	b = append(b, 1, 0)
	b = append(b, t.Position, 0, t.Quality, byte(len(t.Minutiae)))
	for _, m := range t.Minutiae {
		if m.X < 0 || m.X >= 1<<14 || m.Y < 0 || m.Y >= 1<<14 {
			return nil, fmt.Errorf("%s: minutia at (%d,%d) out of range", format, m.X, m.Y)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(m.Kind&3)<<14|uint16(m.X))
		b = binary.BigEndian.AppendUint16(b, uint16(m.Y))
		a := int(math.Round(normAngle(m.Angle)/(2*math.Pi)*float64(angleSteps))) % angleSteps
		b = append(b, byte(a), m.Quality)
	}
	return binary.BigEndian.AppendUint16(b, 0), nil // no extended data
}
