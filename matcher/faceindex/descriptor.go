package faceindex

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Dim is the length of a face descriptor: dlib's ResNet (go-face) emits 128
// float32 values.
const Dim = 128

// Descriptor is one face template: a point in dlib's 128-d embedding space,
// where the Euclidean distance between two faces measures their dissimilarity.
type Descriptor [Dim]float32

// Distance returns the Euclidean distance between a and b, summed in float32
// in index order: the definition every search result is exact against.
func Distance(a, b *Descriptor) float32 {
	return float32(math.Sqrt(float64(SquaredDistance(a, b))))
}

// SquaredDistance returns the squared Euclidean distance between a and b.
func SquaredDistance(a, b *Descriptor) float32 {
	var s0, s1, s2, s3 float32
	for i := 0; i < Dim; i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	return (s0 + s1) + (s2 + s3)
}

// encodedMagic starts every encoded descriptor so that a blob of another kind
// (a fingerprint template, a truncated row) is refused, not misread.
var encodedMagic = [4]byte{'F', 'D', '1', 0}

// EncodedLen is the length of MarshalBinary's output.
const EncodedLen = len(encodedMagic) + 4*Dim

// MarshalBinary encodes d as "FD1\0" followed by 128 little-endian float32.
func (d *Descriptor) MarshalBinary() ([]byte, error) {
	b := make([]byte, EncodedLen)
	copy(b, encodedMagic[:])
	for i, v := range d {
		binary.LittleEndian.PutUint32(b[4+4*i:], math.Float32bits(v))
	}
	return b, nil
}

// ErrBadDescriptor is wrapped by every error about malformed descriptor bytes.
var ErrBadDescriptor = errors.New("bad face descriptor")

// UnmarshalBinary decodes what MarshalBinary wrote. It refuses wrong lengths,
// a wrong magic, and non-finite or absurdly large values (a dlib descriptor's
// components stay well inside ±1), which would poison distances.
func (d *Descriptor) UnmarshalBinary(b []byte) error {
	if len(b) != EncodedLen {
		return fmt.Errorf("%w: %d bytes, want %d", ErrBadDescriptor, len(b), EncodedLen)
	}
	if [4]byte(b[:4]) != encodedMagic {
		return fmt.Errorf("%w: unknown header % x", ErrBadDescriptor, b[:4])
	}
	var out Descriptor
	for i := range out {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b[4+4*i:]))
		if err := checkComponent(v); err != nil {
			return fmt.Errorf("%w: component %d: %v", ErrBadDescriptor, i, err)
		}
		out[i] = v
	}
	*d = out
	return nil
}

// maxComponent bounds accepted component values. dlib's descriptors have
// norms near 1.3 and components within ±0.5.
const maxComponent = 16

func checkComponent(v float32) error {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return errors.New("not a finite number")
	}
	if v > maxComponent || v < -maxComponent {
		return fmt.Errorf("%g out of range", v)
	}
	return nil
}

// Validate reports whether every component of d is finite and in range.
func (d *Descriptor) Validate() error {
	for i, v := range d {
		if err := checkComponent(v); err != nil {
			return fmt.Errorf("%w: component %d: %v", ErrBadDescriptor, i, err)
		}
	}
	return nil
}
