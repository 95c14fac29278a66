package face

import (
	"fmt"
	"image"
	"math"
	"strings"

	"gocv.io/x/gocv"
)

// Reason says why a frame is not good enough, in words the officer's screen
// turns into an instruction ("move closer", "look at the camera").
type Reason string

// The reasons a frame is refused.
const (
	NoFace       Reason = "no face found"
	ManyFaces    Reason = "more than one face"
	FaceTooSmall Reason = "face too small (too far from the camera)"
	FaceCut      Reason = "face not entirely in the frame"
	PoseYaw      Reason = "head turned left or right"
	PosePitch    Reason = "head tilted up or down"
	PoseRoll     Reason = "head tilted sideways"
	Blurred      Reason = "image not sharp"
	TooDark      Reason = "too dark"
	TooBright    Reason = "overexposed"
	LowContrast  Reason = "low contrast"
)

// Policy holds the limits a frame must meet. Numbers are from ISO/IEC
// 19794-5 full frontal (pose) and OFIQ / ISO/IEC 29794-5 components, see
// standards.md §4; the sharpness, exposure and contrast limits were set on
// the shared idols set and on frames degraded from it (quality_test.go).
type Policy struct {
	MaxYaw, MaxPitch, MaxRoll float64 // degrees
	// MinEyeDistance is the smallest accepted inter-eye distance in
	// pixels; OFIQ's inter-eye component is centred at 70 px.
	MinEyeDistance float64
	// MinSharpness is the smallest variance of the Laplacian of the face
	// region, measured at a fixed 160 px face width.
	MinSharpness float64
	// Face-region mean luminance (0–255) must lie in [MinLuminance,
	// MaxLuminance], at most MaxClipped of it at 0–5 or 250–255, and its
	// 1st–99th percentile spread be at least MinDynamicRange.
	MinLuminance, MaxLuminance float64
	MaxClipped                 float64
	MinDynamicRange            float64
}

// LivePolicy is for the camera portrait: ISO full-frontal pose limits.
var LivePolicy = Policy{
	MaxYaw: 5, MaxPitch: 5, MaxRoll: 8,
	MinEyeDistance: 40,
	MinSharpness:   40,
	MinLuminance:   50, MaxLuminance: 210,
	MaxClipped:      0.15,
	MinDynamicRange: 60,
}

// ChipPolicy is for the portrait read from the card (DG2): small and
// heavily compressed by design, and not retakeable, so only what would make
// a descriptor meaningless is refused.
var ChipPolicy = Policy{
	MaxYaw: 20, MaxPitch: 20, MaxRoll: 15,
	MinEyeDistance: 20,
	MinSharpness:   5,
	MinLuminance:   30, MaxLuminance: 230,
	MaxClipped:      0.4,
	MinDynamicRange: 30,
}

// Metrics are the measured values behind a quality verdict.
type Metrics struct {
	Faces        int
	EyeDistance  float64 // px, in the analysed image
	FaceWidth    int     // px
	Pose         Pose
	PoseKnown    bool    // yaw and pitch need 68 landmarks
	Sharpness    float64 // variance of the Laplacian
	Luminance    float64 // face-region mean, 0–255 (whole frame if no face)
	Clipped      float64 // fraction of near-black or near-white pixels
	DynamicRange float64 // 1st–99th percentile spread, 0–255
}

// Quality is the verdict on one frame.
type Quality struct {
	// Score is 0–100, higher better: the geometric mean of the component
	// scores, so any component at zero makes the frame worthless.
	Score   int
	Reasons []Reason // empty when the frame is acceptable
	Metrics Metrics
}

// OK reports whether the frame passed every check.
func (q Quality) OK() bool { return len(q.Reasons) == 0 }

func (q Quality) String() string {
	if q.OK() {
		return fmt.Sprintf("quality %d: ok", q.Score)
	}
	rs := make([]string, len(q.Reasons))
	for i, r := range q.Reasons {
		rs[i] = string(r)
	}
	return fmt.Sprintf("quality %d: %s", q.Score, strings.Join(rs, "; "))
}

// Assess judges a BGR frame given the faces found in it.
func Assess(img gocv.Mat, faces []Face, p Policy) Quality {
	var q Quality
	m := &q.Metrics
	m.Faces = len(faces)
	bounds := image.Rect(0, 0, img.Cols(), img.Rows())

	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(img, &gray, gocv.ColorBGRToGray)

	if len(faces) != 1 {
		// Still say why nothing was found when the frame itself is bad.
		m.Luminance, m.Clipped, m.DynamicRange = exposure(gray)
		if len(faces) == 0 {
			q.Reasons = append(q.Reasons, NoFace)
		} else {
			q.Reasons = append(q.Reasons, ManyFaces)
		}
		q.Reasons = append(q.Reasons, exposureReasons(m, p)...)
		return q
	}
	f := faces[0]
	m.FaceWidth = f.Rect.Dx()
	if l, r, ok := eyeCenters(f.Landmarks); ok {
		m.EyeDistance = math.Hypot(r[0]-l[0], r[1]-l[1])
		m.Pose.Roll = rollFromEyes(l, r)
	}
	if pose, err := EstimatePose(f.Landmarks); err == nil {
		m.Pose, m.PoseKnown = pose, true
	}
	region := f.Rect.Intersect(bounds)
	if region.Empty() {
		region = bounds
	}
	if !f.Rect.In(bounds.Inset(-f.Rect.Dx() / 10)) {
		q.Reasons = append(q.Reasons, FaceCut)
	}
	faceGray := gray.Region(region)
	m.Sharpness = sharpness(faceGray)
	m.Luminance, m.Clipped, m.DynamicRange = exposure(faceGray)
	faceGray.Close()

	if m.EyeDistance < p.MinEyeDistance {
		q.Reasons = append(q.Reasons, FaceTooSmall)
	}
	if m.PoseKnown && math.Abs(m.Pose.Yaw) > p.MaxYaw {
		q.Reasons = append(q.Reasons, PoseYaw)
	}
	if m.PoseKnown && math.Abs(m.Pose.Pitch) > p.MaxPitch {
		q.Reasons = append(q.Reasons, PosePitch)
	}
	if math.Abs(m.Pose.Roll) > p.MaxRoll {
		q.Reasons = append(q.Reasons, PoseRoll)
	}
	if m.Sharpness < p.MinSharpness {
		q.Reasons = append(q.Reasons, Blurred)
	}
	q.Reasons = append(q.Reasons, exposureReasons(m, p)...)
	q.Score = score(m, p)
	return q
}

func exposureReasons(m *Metrics, p Policy) []Reason {
	var rs []Reason
	switch {
	case m.Luminance < p.MinLuminance:
		rs = append(rs, TooDark)
	case m.Luminance > p.MaxLuminance:
		rs = append(rs, TooBright)
	case m.Clipped > p.MaxClipped:
		if m.Luminance < 128 {
			rs = append(rs, TooDark)
		} else {
			rs = append(rs, TooBright)
		}
	}
	if m.DynamicRange < p.MinDynamicRange {
		rs = append(rs, LowContrast)
	}
	return rs
}

// score maps each component onto 0–100 with a ramp from its limit (about 30)
// to a comfortable value (100), and combines them geometrically.
func score(m *Metrics, p Policy) int {
	ramp := func(v, zero, limit, good float64) float64 {
		// zero → 0, limit → 30, good → 100, linear between.
		switch {
		case v <= zero:
			return 0
		case v < limit:
			return 30 * (v - zero) / (limit - zero)
		case v < good:
			return 30 + 70*(v-limit)/(good-limit)
		}
		return 100
	}
	angle := func(a, limit float64) float64 {
		return ramp(-math.Abs(a), -3*limit, -limit, -limit/2)
	}
	comps := []float64{
		ramp(m.EyeDistance, p.MinEyeDistance/2, p.MinEyeDistance, 70),
		angle(m.Pose.Roll, p.MaxRoll),
		ramp(math.Log(m.Sharpness+1), math.Log(p.MinSharpness/4+1), math.Log(p.MinSharpness+1), math.Log(4*p.MinSharpness+1)),
		ramp(-math.Abs(m.Luminance-128), -128, -max(128-p.MinLuminance, p.MaxLuminance-128), -40),
		ramp(-m.Clipped, -1, -p.MaxClipped, -p.MaxClipped/5),
		ramp(m.DynamicRange, p.MinDynamicRange/2, p.MinDynamicRange, 2*p.MinDynamicRange),
	}
	if m.PoseKnown {
		comps = append(comps, angle(m.Pose.Yaw, p.MaxYaw), angle(m.Pose.Pitch, p.MaxPitch))
	}
	logSum := 0.0
	for _, c := range comps {
		if c <= 0 {
			return 0
		}
		logSum += math.Log(c / 100)
	}
	return int(math.Round(100 * math.Exp(logSum/float64(len(comps)))))
}

// sharpnessWidth is the face width sharpness is measured at, so that a
// face's Laplacian variance does not depend on its distance to the camera.
const sharpnessWidth = 160

// sharpness is the variance of the Laplacian of a grey face region.
func sharpness(gray gocv.Mat) float64 {
	if gray.Empty() || gray.Cols() < 2 || gray.Rows() < 2 {
		return 0
	}
	norm := gocv.NewMat()
	defer norm.Close()
	h := max(1, gray.Rows()*sharpnessWidth/gray.Cols())
	interp := gocv.InterpolationArea
	if gray.Cols() < sharpnessWidth {
		interp = gocv.InterpolationLinear
	}
	gocv.Resize(gray, &norm, image.Pt(sharpnessWidth, h), 0, 0, interp)
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(norm, &lap, gocv.MatTypeCV64F, 1, 1, 0, gocv.BorderDefault)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	s := std.GetDoubleAt(0, 0)
	return s * s
}

// exposure returns the mean luminance, the clipped fraction and the 1st–99th
// percentile spread of a grey region.
func exposure(gray gocv.Mat) (mean, clipped, dynRange float64) {
	if gray.Empty() {
		return 0, 1, 0
	}
	c := gray.Clone() // a Region is not contiguous
	defer c.Close()
	px := c.ToBytes()
	if len(px) == 0 {
		return 0, 1, 0
	}
	var hist [256]int
	for _, v := range px {
		hist[v]++
	}
	n := float64(len(px))
	sum, clip := 0.0, 0
	for v, k := range hist {
		sum += float64(v * k)
		if v <= 5 || v >= 250 {
			clip += k
		}
	}
	pct := func(f float64) int {
		need := int(f * n)
		acc := 0
		for v, k := range hist {
			acc += k
			if acc > need {
				return v
			}
		}
		return 255
	}
	return sum / n, float64(clip) / n, float64(pct(0.99) - pct(0.01))
}
