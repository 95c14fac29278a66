package face

import (
	"image"
	"math"
	"testing"
)

// project places the pose model rotated by (yaw, pitch, roll) into an image,
// so EstimatePose can be checked against known angles.
func project(yaw, pitch, roll float64) []image.Point {
	rad := math.Pi / 180
	cy, sy := math.Cos(yaw*rad), math.Sin(yaw*rad)
	cp, sp := math.Cos(pitch*rad), math.Sin(pitch*rad)
	cr, sr := math.Cos(roll*rad), math.Sin(roll*rad)
	lm := make([]image.Point, 68)
	for _, m := range poseModel {
		x, y, z := m.x, m.y, m.z
		x, z = cy*x+sy*z, -sy*x+cy*z // yaw about y
		y, z = cp*y-sp*z, sp*y+cp*z  // pitch about x
		x, y = cr*x-sr*y, sr*x+cr*y  // roll about z
		_ = z
		lm[m.lm] = image.Pt(int(math.Round(320+x*0.4)), int(math.Round(240-y*0.4)))
	}
	return lm
}

func TestEstimatePose(t *testing.T) {
	for _, tc := range []struct{ yaw, pitch, roll float64 }{
		{0, 0, 0}, {20, 0, 0}, {-20, 0, 0}, {0, 15, 0}, {0, -15, 0}, {0, 0, 10}, {0, 0, -10}, {10, 5, 3},
	} {
		p, err := EstimatePose(project(tc.yaw, tc.pitch, tc.roll))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p.Yaw-tc.yaw) > 2 || math.Abs(p.Pitch-tc.pitch) > 2 || math.Abs(p.Roll-tc.roll) > 2 {
			t.Errorf("pose %+v: estimated %+v", tc, p)
		}
	}
	if _, err := EstimatePose(make([]image.Point, 5)); err == nil {
		t.Error("5 landmarks accepted")
	}
	if _, err := EstimatePose(make([]image.Point, 68)); err == nil {
		t.Error("all-zero landmarks accepted")
	}
}
