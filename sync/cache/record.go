package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Citizen is one cached citizen: card data and templates.
type Citizen struct {
	IDNumber      string
	FullName      string
	DateOfBirth   string
	Sex           string
	PlaceOfOrigin string
	Residence     string
	// HasFace is false when upstream holds no face descriptor.
	HasFace bool
	// Face is the face descriptor (go-face / dlib, 128 values).
	Face [128]float32
	// Fingers maps a finger position ("R1".."R5", "L1".."L5") to a
	// template in the fingerprint engine's format, opaque to the cache.
	Fingers map[string][]byte
	// Version is the cache version at which upstream last changed it.
	Version int64
	// Source is upstream's provenance of the templates.
	Source string
}

const recordFormat = 1

// encode is the compact binary form sealed into the citizens table: a
// format byte, six length-prefixed strings, the descriptor, then fingers.
// Binary, not JSON: start-up decodes a million of these.
func (c *Citizen) encode() []byte {
	n := 1 + 6*2 + len(c.IDNumber) + len(c.FullName) + len(c.DateOfBirth) + len(c.Sex) + len(c.PlaceOfOrigin) + len(c.Residence) + 1 + 512 + 1
	for _, t := range c.Fingers {
		n += 2 + 4 + len(t)
	}
	b := make([]byte, 0, n)
	b = append(b, recordFormat)
	for _, s := range []string{c.IDNumber, c.FullName, c.DateOfBirth, c.Sex, c.PlaceOfOrigin, c.Residence} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	if c.HasFace {
		b = append(b, 1)
		for _, f := range c.Face {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
		}
	} else {
		b = append(b, 0)
	}
	pos := make([]string, 0, len(c.Fingers))
	for p := range c.Fingers {
		pos = append(pos, p)
	}
	sort.Strings(pos)
	b = append(b, byte(len(pos)))
	for _, p := range pos {
		b = append(b, p[0], p[1])
		b = binary.BigEndian.AppendUint32(b, uint32(len(c.Fingers[p])))
		b = append(b, c.Fingers[p]...)
	}
	return b
}

var errRecord = errors.New("damaged cache record")

// decode parses encode's output. It is strict: the sealed bytes were
// authenticated, but a decoder of stored bytes still never panics.
func (c *Citizen) decode(b []byte) error {
	if len(b) < 1 || b[0] != recordFormat {
		return fmt.Errorf("%w: unknown format", errRecord)
	}
	b = b[1:]
	strs := [6]*string{&c.IDNumber, &c.FullName, &c.DateOfBirth, &c.Sex, &c.PlaceOfOrigin, &c.Residence}
	for _, s := range strs {
		if len(b) < 2 {
			return fmt.Errorf("%w: truncated", errRecord)
		}
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		if len(b) < n {
			return fmt.Errorf("%w: truncated", errRecord)
		}
		*s = string(b[:n])
		b = b[n:]
	}
	if len(b) < 1 {
		return fmt.Errorf("%w: truncated", errRecord)
	}
	c.HasFace = b[0] == 1
	b = b[1:]
	if c.HasFace {
		if len(b) < 512 {
			return fmt.Errorf("%w: truncated descriptor", errRecord)
		}
		for i := range c.Face {
			c.Face[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		b = b[512:]
	}
	if len(b) < 1 {
		return fmt.Errorf("%w: truncated", errRecord)
	}
	nf := int(b[0])
	b = b[1:]
	if nf > 10 {
		return fmt.Errorf("%w: %d fingers", errRecord, nf)
	}
	c.Fingers = nil
	if nf > 0 {
		c.Fingers = make(map[string][]byte, nf)
	}
	for i := 0; i < nf; i++ {
		if len(b) < 6 {
			return fmt.Errorf("%w: truncated finger", errRecord)
		}
		p := string(b[:2])
		n := int(binary.BigEndian.Uint32(b[2:6]))
		b = b[6:]
		if n > len(b) {
			return fmt.Errorf("%w: truncated finger", errRecord)
		}
		c.Fingers[p] = b[:n:n]
		b = b[n:]
	}
	if len(b) != 0 {
		return fmt.Errorf("%w: trailing bytes", errRecord)
	}
	return nil
}
