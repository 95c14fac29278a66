package template

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// Our own format, version 1, little-endian:
//
//	"DDFT" version(1) width(2) height(2) ppi(2) position(1) quality(1) count(2)
//	count × [x(2) y(2) angle(2, units of 2π/65536) kind(1) quality(1)]
//	crc32-IEEE(4) of everything before it
//
// Angles keep 16 bits so encode/decode round trips lose nothing we use.
const (
	ownMagic   = "DDFT"
	ownVersion = 1
	ownHeader  = 4 + 1 + 2 + 2 + 2 + 1 + 1 + 2
	ownMinutia = 8
)

// Marshal encodes t in our own compact versioned format.
func Marshal(t *Template) ([]byte, error) {
	if len(t.Minutiae) > 0xffff {
		return nil, fmt.Errorf("template: %d minutiae", len(t.Minutiae))
	}
	b := make([]byte, 0, ownHeader+ownMinutia*len(t.Minutiae)+4)
	b = append(b, ownMagic...)
	b = append(b, ownVersion)
	b = binary.LittleEndian.AppendUint16(b, uint16(t.Width))
	b = binary.LittleEndian.AppendUint16(b, uint16(t.Height))
	b = binary.LittleEndian.AppendUint16(b, uint16(t.PPI))
	b = append(b, t.Position, t.Quality)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(t.Minutiae)))
	for _, m := range t.Minutiae {
		if m.X < 0 || m.X > 0xffff || m.Y < 0 || m.Y > 0xffff {
			return nil, fmt.Errorf("template: minutia at (%d,%d) out of range", m.X, m.Y)
		}
		b = binary.LittleEndian.AppendUint16(b, uint16(m.X))
		b = binary.LittleEndian.AppendUint16(b, uint16(m.Y))
		b = binary.LittleEndian.AppendUint16(b, uint16(int(math.Round(normAngle(m.Angle)/(2*math.Pi)*65536))&0xffff))
		b = append(b, byte(m.Kind), m.Quality)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// Unmarshal decodes our own format, rejecting truncated or altered bytes.
func Unmarshal(b []byte) (*Template, error) {
	if len(b) < ownHeader+4 {
		return nil, fmt.Errorf("template: %d bytes is too short: %w", len(b), ErrCorrupt)
	}
	if string(b[:4]) != ownMagic {
		return nil, fmt.Errorf("template: bad magic: %w", ErrCorrupt)
	}
	if b[4] != ownVersion {
		return nil, fmt.Errorf("template: unsupported version %d: %w", b[4], ErrCorrupt)
	}
	n := int(binary.LittleEndian.Uint16(b[13:]))
	if len(b) != ownHeader+ownMinutia*n+4 {
		return nil, fmt.Errorf("template: %d minutiae need %d bytes, have %d: %w", n, ownHeader+ownMinutia*n+4, len(b), ErrCorrupt)
	}
	body := b[:len(b)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(b[len(body):]) {
		return nil, fmt.Errorf("template: checksum mismatch: %w", ErrCorrupt)
	}
	t := &Template{
		Width:    int(binary.LittleEndian.Uint16(b[5:])),
		Height:   int(binary.LittleEndian.Uint16(b[7:])),
		PPI:      int(binary.LittleEndian.Uint16(b[9:])),
		Position: b[11],
		Quality:  b[12],
		Minutiae: make([]Minutia, n),
	}
	for i := range t.Minutiae {
		r := b[ownHeader+ownMinutia*i:]
		if r[6] > 2 || r[7] > 100 {
			return nil, fmt.Errorf("template: minutia %d kind %d quality %d: %w", i, r[6], r[7], ErrCorrupt)
		}
		t.Minutiae[i] = Minutia{
			X: int(binary.LittleEndian.Uint16(r)), Y: int(binary.LittleEndian.Uint16(r[2:])),
			Angle: float64(binary.LittleEndian.Uint16(r[4:])) * 2 * math.Pi / 65536,
			Kind:  Kind(r[6]), Quality: r[7],
		}
	}
	return t, nil
}
