package faceindex

import "math"

// DefaultScale is the int8 quantization step: codes span ±127·DefaultScale
// = ±0.5, which holds every component of dlib's descriptors seen on the
// idols set (largest |x| 0.435). Values outside are clamped; the clamping
// error is part of the residual that the exact re-ranking accounts for, so a
// wrong scale costs speed, never correctness.
const DefaultScale = 0.5 / 127

// quantize writes the int8 code of d at step s into code and returns the
// Euclidean norm of the residual d - s·code, computed in float64.
func quantize(d *Descriptor, s float32, code []int8) float64 {
	inv := 1 / float64(s)
	var r2 float64
	for i, v := range d {
		q := math.Round(float64(v) * inv)
		if q > 127 {
			q = 127
		} else if q < -127 {
			q = -127
		}
		code[i] = int8(q)
		e := float64(v) - float64(s)*q
		r2 += e * e
	}
	return math.Sqrt(r2)
}
