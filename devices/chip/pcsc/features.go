package pcsc

import (
	"encoding/binary"

	"github.com/ebfe/scard"
)

// PC/SC part 10 feature discovery: pcsc-lite's CCID driver reports the
// reader's largest APDU through FEATURE_GET_TLV_PROPERTIES.
const (
	ioctlGetFeatureRequest  = 3400
	featureGetTLVProperties = 0x12
	propMaxAPDUDataSize     = 0x0A
)

// parseFeatures reads the GET_FEATURE_REQUEST answer: tag, length 4,
// big-endian control code.
func parseFeatures(b []byte) map[byte]uint32 {
	out := map[byte]uint32{}
	for len(b) >= 6 && b[1] == 4 {
		out[b[0]] = binary.BigEndian.Uint32(b[2:6])
		b = b[6:]
	}
	return out
}

// parseTLVProperties reads PC/SC part 10 TLV properties (1-byte tag,
// 1-byte length, little-endian value) and returns dwMaxAPDUDataSize.
func parseTLVProperties(b []byte) (uint32, bool) {
	for len(b) >= 2 {
		tag, l := b[0], int(b[1])
		if 2+l > len(b) {
			return 0, false
		}
		v := b[2 : 2+l]
		if tag == propMaxAPDUDataSize {
			var n uint32
			for i := len(v) - 1; i >= 0; i-- {
				n = n<<8 | uint32(v[i])
			}
			return n, true
		}
		b = b[2+l:]
	}
	return 0, false
}

// DetectExtended asks the reader driver for its largest APDU and sets
// Extended when it takes more than a short APDU. Drivers that do not
// answer leave Extended unchanged.
func (c *Card) DetectExtended() (maxAPDU uint32, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.card.Control(scard.CtlCode(ioctlGetFeatureRequest), nil)
	if err != nil {
		return 0, false
	}
	code, found := parseFeatures(f)[featureGetTLVProperties]
	if !found {
		return 0, false
	}
	props, err := c.card.Control(code, nil)
	if err != nil {
		return 0, false
	}
	n, found := parseTLVProperties(props)
	if !found {
		return 0, false
	}
	c.Extended = n > 261
	return n, true
}
