package finger

import (
	"bytes"
	bo "encoding/binary"
)

// fileResolution reads the resolution an image file declares, in pixels
// per inch, or 0 when it declares none we can read: TIFF XResolution with
// ResolutionUnit, PNG pHYs, BMP biXPelsPerMeter.
func fileResolution(b []byte) float64 {
	switch {
	case bytes.HasPrefix(b, []byte("II*\x00")):
		return tiffResolution(b, bo.LittleEndian)
	case bytes.HasPrefix(b, []byte("MM\x00*")):
		return tiffResolution(b, bo.BigEndian)
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return pngResolution(b)
	case bytes.HasPrefix(b, []byte("BM")) && len(b) >= 42:
		if ppm := bo.LittleEndian.Uint32(b[38:]); ppm > 0 && ppm < 1e6 {
			return float64(ppm) * 0.0254
		}
	}
	return 0
}

func tiffResolution(b []byte, o bo.ByteOrder) float64 {
	if len(b) < 8 {
		return 0
	}
	off := uint64(o.Uint32(b[4:]))
	if off+2 > uint64(len(b)) {
		return 0
	}
	n := uint64(o.Uint16(b[off:]))
	var res float64
	unit := uint16(2) // TIFF's default unit is the inch
	for i := uint64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > uint64(len(b)) {
			return 0
		}
		tag, typ := o.Uint16(b[e:]), o.Uint16(b[e+2:])
		switch {
		case tag == 282 && typ == 5: // XResolution, RATIONAL
			p := uint64(o.Uint32(b[e+8:]))
			if p+8 > uint64(len(b)) {
				return 0
			}
			num, den := o.Uint32(b[p:]), o.Uint32(b[p+4:])
			if den != 0 {
				res = float64(num) / float64(den)
			}
		case tag == 296 && typ == 3: // ResolutionUnit, SHORT
			unit = o.Uint16(b[e+8:])
		}
	}
	switch unit {
	case 2:
		return res
	case 3:
		return res * 2.54
	}
	return 0 // no absolute unit
}

func pngResolution(b []byte) float64 {
	p := 8
	for p+8 <= len(b) {
		n := int(bo.BigEndian.Uint32(b[p:]))
		typ := string(b[p+4 : p+8])
		if n < 0 || p+8+n > len(b) {
			return 0
		}
		if typ == "pHYs" && n == 9 && b[p+8+8] == 1 { // unit: metre
			return float64(bo.BigEndian.Uint32(b[p+8:])) * 0.0254
		}
		if typ == "IDAT" {
			return 0 // pHYs must come before the image data
		}
		p += 12 + n
	}
	return 0
}
