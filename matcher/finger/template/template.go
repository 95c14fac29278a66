// Package template holds fingerprint minutiae templates and their byte
// encodings: a compact versioned format of our own (Marshal/Unmarshal),
// ISO/IEC 19794-2:2005 (MarshalISO/ParseISO) and ANSI INCITS 378-2004
// (MarshalANSI/ParseANSI).
package template

import (
	"errors"
	"math"
)

// Kind is the type of a minutia.
type Kind uint8

// Minutia kinds, numbered as in ISO/IEC 19794-2.
const (
	Other       Kind = 0
	Ending      Kind = 1
	Bifurcation Kind = 2
)

// Minutia is one ridge ending or bifurcation. X and Y are pixels from the
// top-left corner at the template's resolution; Angle is in radians in
// [0, 2π), counter-clockwise from the positive x axis as ISO/IEC 19794-2
// measures it (y pointing up on the page).
type Minutia struct {
	X, Y    int
	Angle   float64
	Kind    Kind
	Quality uint8
}

// Template is the minutiae of one finger impression.
type Template struct {
	Width, Height int // image size in pixels
	PPI           int // resolution, pixels per inch (500 after extraction)
	Position      uint8
	Quality       uint8 // 0–100
	Minutiae      []Minutia
}

// ErrCorrupt is wrapped by every decoding error caused by bad bytes.
var ErrCorrupt = errors.New("corrupt fingerprint template")

// ppcm converts pixels per inch to the pixels per centimetre of ISO records.
func ppcm(ppi int) int { return int(math.Round(float64(ppi) / 2.54)) }

func ppiFromPPCM(c int) int { return int(math.Round(float64(c) * 2.54)) }

func normAngle(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a
}
