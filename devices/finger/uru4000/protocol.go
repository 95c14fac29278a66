// Package uru4000 drives DigitalPersona U.are.U 4000, 4000B and 4500
// fingerprint scanners (and the Microsoft readers built on them) over USB,
// and simulates them at the USB-transfer level.
//
// The protocol, as documented by libfprint's uru4000 driver: one vendor
// interface (class ff/ff/ff) with an interrupt IN endpoint 0x81 carrying
// 64-byte notifications and a bulk IN endpoint 0x82 carrying image frames;
// registers read and written with vendor control request 0x04 (wValue =
// register). Power-up toggles bit 7 of the HWSTAT register and waits for
// the 0x56aa notification; REG_MODE selects finger-wait or capture. A frame
// is a 64-byte header (line count, key number, 15 block descriptors)
// followed by 384-pixel lines, inverted; on the 4000B/4500 blocks may be
// scrambled with a 32-bit LFSR keystream whose key the host fetches by
// writing a key index and seed and reading the key register back.
package uru4000

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// USB protocol constants.
const (
	EPIntr = 0x81 // interrupt IN: 64-byte notifications
	EPData = 0x82 // bulk IN: image frames

	usbRequest = 0x04
	ctrlIn     = 0xc0 // vendor, device-to-host
	ctrlOut    = 0x40 // vendor, host-to-device

	IRQLength = 64
)

// Notifications on the interrupt endpoint (big-endian first two bytes).
const (
	IRQScanPowerOn = 0x56aa
	IRQFingerOn    = 0x0101
	IRQFingerOff   = 0x0200
	IRQDeath       = 0x0800
)

// Registers.
const (
	RegHWStat         = 0x07
	RegScrambleIndex  = 0x33
	RegScrambleKey    = 0x34
	RegMode           = 0x4e
	RegDeviceInfo     = 0xf0
	RegChallenge      = 0x2010
	RegChallengeReply = 0x2000
)

// Values of RegMode.
const (
	ModeInit           = 0x00
	ModeAwaitFingerOn  = 0x10
	ModeAwaitFingerOff = 0x12
	ModeCapture        = 0x20
	ModeCaptureAux     = 0x30
	ModeOff            = 0x70
	ModeReady          = 0x80
)

// Image geometry.
const (
	Width      = 384
	Height     = 290
	HeaderLen  = 64
	FrameLen   = HeaderLen + Width*Height
	maxBlocks  = 15
	blocksOff  = 16
	linesOff   = 4
	keyNumOff  = 6
	encThresh  = 5000 // libfprint's variance threshold for "looks encrypted"
	defaultPPI = 512  // DigitalPersona's stated resolution for the 4000B/4500
)

// Block flags in the frame header.
const (
	BlockChangeKey   = 0x80
	BlockNoKeyUpdate = 0x04
	BlockEncrypted   = 0x02
	BlockNotPresent  = 0x01
)

// Model is one supported USB product.
type Model struct {
	VendorID, ProductID uint16
	Name                string
	// Scrambled: frames may carry scrambled blocks (4000B/4500).
	Scrambled bool
	// ChallengeResponse: the device demands AES challenge-response
	// authentication (Microsoft reader v2). Not supported by this driver.
	ChallengeResponse bool
}

// Models lists the USB IDs of the family.
var Models = []Model{
	{0x045e, 0x00bb, "Microsoft Keyboard with Fingerprint Reader", false, false},
	{0x045e, 0x00bc, "Microsoft Wireless IntelliMouse with Fingerprint Reader", false, false},
	{0x045e, 0x00bd, "Microsoft Fingerprint Reader", false, false},
	{0x045e, 0x00ca, "Microsoft Fingerprint Reader v2", false, true},
	{0x05ba, 0x0007, "DigitalPersona U.are.U 4000", false, false},
	{0x05ba, 0x0008, "DigitalPersona U.are.U 4000 (keyboard)", false, false},
	{0x05ba, 0x000a, "DigitalPersona U.are.U 4000B/4500", true, false},
}

// Lookup finds the model with the given IDs.
func Lookup(vid, pid uint16) (Model, bool) {
	for _, m := range Models {
		if m.VendorID == vid && m.ProductID == pid {
			return m, true
		}
	}
	return Model{}, false
}

// block is one descriptor of the frame header.
type block struct {
	flags, lines uint8
}

// header is the parsed 64-byte frame header.
type header struct {
	lines  int
	keyNum uint8
	blocks [maxBlocks]block
}

var errShortFrame = errors.New("short frame")

func parseHeader(frame []byte) (header, error) {
	var h header
	if len(frame) < HeaderLen {
		return h, fmt.Errorf("%w: %d bytes", errShortFrame, len(frame))
	}
	h.lines = int(binary.LittleEndian.Uint16(frame[linesOff:]))
	h.keyNum = frame[keyNumOff]
	for i := range h.blocks {
		h.blocks[i] = block{frame[blocksOff+2*i], frame[blocksOff+2*i+1]}
	}
	if h.lines >= Height {
		return h, fmt.Errorf("frame header claims %d lines (max %d)", h.lines, Height-1)
	}
	if len(frame) < HeaderLen+h.lines*Width {
		return h, fmt.Errorf("%w: %d bytes for %d lines", errShortFrame, len(frame), h.lines)
	}
	return h, nil
}

func putHeader(frame []byte, h header) {
	binary.LittleEndian.PutUint16(frame[linesOff:], uint16(h.lines))
	frame[keyNumOff] = h.keyNum
	for i, b := range h.blocks {
		frame[blocksOff+2*i], frame[blocksOff+2*i+1] = b.flags, b.lines
	}
}

// nextKey advances the scrambling LFSR by one step (taps at bits 0, 2, 3,
// 6, 10, 12, 19, 22, 25, 28 and 31 of the mask 0x9248144d).
func nextKey(key uint32) uint32 {
	bit := key & 0x9248144d
	bit ^= bit << 16
	bit ^= bit << 8
	bit ^= bit << 4
	bit ^= bit << 2
	bit ^= bit << 1
	return bit&0x80000000 | key>>1
}

// keyByte is the keystream byte for key: eight fixed key bits.
func keyByte(key uint32) byte {
	return byte(key>>4&1 | key>>8&1<<1 | key>>11&1<<2 | key>>14&1<<3 |
		key>>18&1<<4 | key>>21&1<<5 | key>>24&1<<6 | key>>29&1<<7)
}

// descramble decodes a scrambled run in place: the device shifts the run
// by one byte, so plain[i] = data[i+1] ^ ks[i] and the last byte is lost
// (set to zero). It returns the key after the run.
func descramble(data []byte, key uint32) uint32 {
	if len(data) == 0 {
		return key
	}
	for i := 0; i < len(data)-1; i++ {
		k := keyByte(key)
		key = nextKey(key)
		data[i] = data[i+1] ^ k
	}
	data[len(data)-1] = 0
	return nextKey(key)
}

// scramble is descramble's inverse, used by the simulator. lead is the
// byte sent first (ignored by the host).
func scramble(plain []byte, key uint32, lead byte) ([]byte, uint32) {
	out := make([]byte, len(plain))
	if len(plain) == 0 {
		return out, key
	}
	out[0] = lead
	for i := 0; i < len(plain)-1; i++ {
		out[i+1] = plain[i] ^ keyByte(key)
		key = nextKey(key)
	}
	return out, nextKey(key)
}

// skipKey advances key past n unscrambled bytes.
func skipKey(key uint32, n int) uint32 {
	for range n {
		key = nextKey(key)
	}
	return key
}

// lineVariance is libfprint's heuristic for "this frame is scrambled" on
// models that do not announce it: the variance of the sum of the first two
// present lines. Real ridge images vary slowly between adjacent lines.
func lineVariance(h header, data []byte) int {
	var rows [][]byte
	r := 0
	for _, b := range h.blocks {
		if b.flags&BlockNotPresent != 0 {
			continue
		}
		for j := 0; j < int(b.lines) && len(rows) < 2; j++ {
			if (r+1)*Width > len(data) {
				break
			}
			rows = append(rows, data[r*Width:(r+1)*Width])
			r++
		}
		if len(rows) == 2 {
			break
		}
	}
	if len(rows) < 2 {
		return 0
	}
	mean := 0
	for i := range Width {
		mean += int(rows[0][i]) + int(rows[1][i])
	}
	mean /= Width
	res := 0
	for i := range Width {
		d := int(rows[0][i]) + int(rows[1][i]) - mean
		res += d * d
	}
	return res / Width
}
