package faceindex

import "math"

// DefaultScale is the int8 quantization step: codes span ±127·DefaultScale
// = ±0.55, which holds every component of dlib's descriptors seen on the
// idols set (largest |x| 0.435) with room to spare. Values outside are
// clamped and their descriptor is re-ranked exactly on every search (see
// Index), so a wrong scale costs speed, never correctness.
const DefaultScale = 0.55 / 127

// quantize writes the int8 code of d at step s into code and returns the
// Euclidean norm of the residual d - s·code, computed in float64, and
// whether any component was clamped.
func quantize(d *Descriptor, s float32, code []int8) (resid float64, clamped bool) {
	inv := 1 / float64(s)
	var r2 float64
	for i, v := range d {
		q := math.Round(float64(v) * inv)
		if q > 127 {
			q, clamped = 127, true
		} else if q < -127 {
			q, clamped = -127, true
		}
		code[i] = int8(q)
		e := float64(v) - float64(s)*q
		r2 += e * e
	}
	return math.Sqrt(r2), clamped
}
