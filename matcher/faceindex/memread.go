package faceindex

import (
	"encoding/binary"
)

// memReadGo is the portable fallback of memRead.
func memReadGo(b []byte) uint64 {
	var x0, x1, x2, x3 uint64
	for ; len(b) >= 32; b = b[32:] {
		x0 ^= binary.LittleEndian.Uint64(b)
		x1 ^= binary.LittleEndian.Uint64(b[8:])
		x2 ^= binary.LittleEndian.Uint64(b[16:])
		x3 ^= binary.LittleEndian.Uint64(b[24:])
	}
	return x0 ^ x1 ^ x2 ^ x3
}
