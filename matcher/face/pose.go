package face

import (
	"errors"
	"image"
	"math"
)

// Pose is a head orientation in degrees. Yaw is the turn left or right,
// pitch the nod up or down, roll the tilt in the image plane; all zero for a
// face looking straight at the camera.
type Pose struct {
	Yaw, Pitch, Roll float64
}

// Indexes of dlib's 68-point (iBUG 300-W) landmarks used here.
const (
	lmChin        = 8
	lmNoseTip     = 30
	lmLeftEyeOut  = 36 // the subject's right eye, on the image's left
	lmRightEyeOut = 45
	lmMouthLeft   = 48
	lmMouthRight  = 54
)

// poseModel is a generic adult head in millimetre-like units (x right, y up,
// z towards the camera, nose tip at the origin), the 6-point model commonly
// used with OpenCV's solvePnP for dlib's landmarks.
var poseModel = [...]struct {
	lm      int
	x, y, z float64
}{
	{lmNoseTip, 0, 0, 0},
	{lmChin, 0, -330, -65},
	{lmLeftEyeOut, -225, 170, -135},
	{lmRightEyeOut, 225, 170, -135},
	{lmMouthLeft, -150, -150, -125},
	{lmMouthRight, 150, -150, -125},
}

// errPoseLandmarks is returned when the landmark model gives fewer than 68
// points (dlib's 5-point model): yaw and pitch cannot be estimated.
var errPoseLandmarks = errors.New("head pose needs the 68-point landmark model")

// EstimatePose estimates head pose from 68 landmarks by POS (pose from
// orthography and scaling, DeMenthon & Davis): at desk distance the face is
// shallow compared with its distance to the camera, so a scaled orthographic
// projection fits, and it needs no camera calibration. The rotation's rows
// are the least-squares solution of the six model points against their image
// positions, re-orthonormalized.
func EstimatePose(lm []image.Point) (Pose, error) {
	if len(lm) < 68 {
		return Pose{}, errPoseLandmarks
	}
	// Image y grows downwards; the model's grows upwards.
	o := lm[poseModel[0].lm]
	const n = len(poseModel) - 1
	var a [n][3]float64
	var u, v [n]float64
	for i := 1; i <= n; i++ {
		m := poseModel[i]
		a[i-1] = [3]float64{m.x, m.y, m.z}
		p := lm[m.lm]
		u[i-1] = float64(p.X - o.X)
		v[i-1] = -float64(p.Y - o.Y)
	}
	// Normal equations: (AᵀA) r = Aᵀb for b = u and b = v.
	var ata [3][3]float64
	var atu, atv [3]float64
	for i := 0; i < n; i++ {
		for r := 0; r < 3; r++ {
			for c := 0; c < 3; c++ {
				ata[r][c] += a[i][r] * a[i][c]
			}
			atu[r] += a[i][r] * u[i]
			atv[r] += a[i][r] * v[i]
		}
	}
	inv, ok := inverse3(ata)
	if !ok {
		return Pose{}, errors.New("head pose: degenerate landmarks")
	}
	r1 := mulVec(inv, atu)
	r2 := mulVec(inv, atv)
	if norm(r1) == 0 || norm(r2) == 0 {
		return Pose{}, errors.New("head pose: degenerate landmarks")
	}
	r1 = scaleVec(r1, 1/norm(r1))
	r2 = scaleVec(r2, 1/norm(r2))
	r3 := cross(r1, r2)
	if norm(r3) == 0 {
		return Pose{}, errors.New("head pose: degenerate landmarks")
	}
	r3 = scaleVec(r3, 1/norm(r3))
	r2 = cross(r3, r1)
	deg := 180 / math.Pi
	return Pose{
		Yaw:   math.Atan2(r1[2], r3[2]) * deg,
		Pitch: math.Asin(max(-1, min(1, -r2[2]))) * deg,
		Roll:  math.Atan2(r2[0], r2[1]) * deg,
	}, nil
}

// eyeCenters returns the centres of the two eyes (image left first): the
// mean of each eye's six landmarks, or the midpoint of each eye's two corners
// with the 5-point model.
func eyeCenters(lm []image.Point) (l, r [2]float64, ok bool) {
	mean := func(pts []image.Point) [2]float64 {
		var s [2]float64
		for _, p := range pts {
			s[0] += float64(p.X)
			s[1] += float64(p.Y)
		}
		return [2]float64{s[0] / float64(len(pts)), s[1] / float64(len(pts))}
	}
	switch {
	case len(lm) >= 68:
		return mean(lm[36:42]), mean(lm[42:48]), true
	case len(lm) == 5: // dlib's 5-point model: 0,1 one eye's corners, 2,3 the other's
		a, b := mean(lm[0:2]), mean(lm[2:4])
		if a[0] > b[0] {
			a, b = b, a
		}
		return a, b, true
	}
	return l, r, false
}

// rollFromEyes is the in-plane tilt of the line between the eyes, usable
// with either landmark model.
func rollFromEyes(l, r [2]float64) float64 {
	return math.Atan2(-(r[1]-l[1]), r[0]-l[0]) * -180 / math.Pi
}

func inverse3(m [3][3]float64) ([3][3]float64, bool) {
	det := m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
		m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
		m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	if math.Abs(det) < 1e-12 {
		return m, false
	}
	var r [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			a, b := (j+1)%3, (j+2)%3
			c, d := (i+1)%3, (i+2)%3
			r[i][j] = (m[a][c]*m[b][d] - m[a][d]*m[b][c]) / det
		}
	}
	return r, true
}

func mulVec(m [3][3]float64, v [3]float64) [3]float64 {
	return [3]float64{
		m[0][0]*v[0] + m[0][1]*v[1] + m[0][2]*v[2],
		m[1][0]*v[0] + m[1][1]*v[1] + m[1][2]*v[2],
		m[2][0]*v[0] + m[2][1]*v[1] + m[2][2]*v[2],
	}
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func norm(a [3]float64) float64 { return math.Sqrt(a[0]*a[0] + a[1]*a[1] + a[2]*a[2]) }

func scaleVec(a [3]float64, s float64) [3]float64 { return [3]float64{a[0] * s, a[1] * s, a[2] * s} }
