package diag

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/camera"
	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/registry"
)

// Camera pass criteria.
const (
	MinCameraFPS     = 10.0
	MaxClipped       = 0.5
	MinLuminance     = 30.0
	MaxLuminance     = 225.0
	MinSharpnessWarn = 15.0
)

// Scanner pass criteria on the test finger's image statistics.
const (
	MinFingerArea     = 0.15
	MinFingerContrast = 15.0
)

func base(e registry.Entry, test string) Result {
	return Result{Device: e.Key, Label: e.Label(), Kind: e.Kind, Simulated: e.Simulated, Test: test,
		Metrics: map[string]float64{}, Facts: map[string]string{}}
}

func encodePNG(name string, img image.Image, biometric bool) Image {
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return Image{Name: name, PNG: b.Bytes(), Biometric: biometric}
}

// testCamera reads CameraFrames frames and measures the frame rate,
// exposure and sharpness.
func testCamera(ctx context.Context, opts Options, e registry.Entry) (res Result) {
	res = base(e, "camera.capture")
	start := time.Now()
	defer func() { res.DurationMS = since(start) }()
	if e.Status != "ok" {
		res.Status, res.Message = Fail, e.Status
		return res
	}
	src, err := opts.Registry.OpenCamera(e, 1280, 720, 30)
	if err != nil {
		res.Status, res.Message = Fail, err.Error()
		return res
	}
	if err := src.Open(); err != nil {
		res.Status, res.Message = Fail, err.Error()
		return res
	}
	info := src.Info()
	res.Facts["backend"] = info.Backend
	res.Facts["fourcc"] = info.FourCC
	res.Facts["resolution"] = fmt.Sprintf("%dx%d", info.Width, info.Height)
	res.Metrics["nominal_fps"] = info.FPS
	res.Metrics["exposure"] = info.Exposure
	res.Metrics["focus"] = info.Focus
	if e.Video != nil {
		res.Facts["driver"] = e.Video.Driver
		res.Facts["bus"] = e.Video.BusInfo
		res.Facts["usb_id"] = e.Video.USBID
	}
	tctx, cancel := context.WithTimeout(ctx, opts.CameraTimeout)
	defer cancel()
	var first, last camera.Frame
	n := 0
	frames := src.Frames()
loop:
	for n < opts.CameraFrames {
		select {
		case <-tctx.Done():
			break loop
		case f, ok := <-frames:
			if !ok {
				break loop
			}
			if n == 0 {
				first = f
			}
			last = f
			n++
		}
	}
	closeBounded(src)
	res.Metrics["frames"] = float64(n)
	if n == 0 {
		res.Status = Fail
		res.Message = fmt.Sprintf("no frame within %v", opts.CameraTimeout)
		if err := src.Err(); err != nil {
			res.Message += ": " + err.Error()
		}
		opts.Registry.MarkFaulty(e.Key, res.Message)
		return res
	}
	fps := 0.0
	if n > 1 {
		if dt := last.Time.Sub(first.Time).Seconds(); dt > 0 {
			// Seq counts frames read, including any the mailbox dropped.
			fps = float64(last.Seq-first.Seq) / dt
		}
	}
	res.Metrics["fps"] = round(fps, 1)
	st := camera.Measure(last.Image)
	res.Metrics["luminance"] = round(st.Luminance, 1)
	res.Metrics["clipped_fraction"] = round(st.Clipped, 3)
	res.Metrics["sharpness"] = round(st.Sharpness, 1)
	if !opts.NoBiometricImages {
		res.Images = append(res.Images, encodePNG("last frame", last.Image, true))
	}
	var problems []string
	if n < opts.CameraFrames {
		problems = append(problems, fmt.Sprintf("only %d of %d frames within %v", n, opts.CameraFrames, opts.CameraTimeout))
	}
	// A simulator's frame rate says nothing about hardware (and depends on
	// the machine's load): it is reported, not judged.
	if n > 1 && fps < MinCameraFPS && !e.Simulated {
		problems = append(problems, fmt.Sprintf("%.1f frames per second (need %.0f)", fps, MinCameraFPS))
	}
	if st.Clipped > MaxClipped || st.Luminance < MinLuminance || st.Luminance > MaxLuminance {
		problems = append(problems, fmt.Sprintf("exposure out of range: mean luminance %.0f, %.0f%% clipped", st.Luminance, 100*st.Clipped))
	}
	if len(problems) > 0 {
		res.Status, res.Message = Fail, join(problems)
		return res
	}
	res.Status = Pass
	res.Message = fmt.Sprintf("%d frames at %.1f fps, %s %s", n, fps, res.Facts["resolution"], info.FourCC)
	if st.Sharpness < MinSharpnessWarn {
		res.Message += fmt.Sprintf("; low sharpness %.1f: check focus and clean the lens", st.Sharpness)
	}
	return res
}

func closeBounded(src camera.Source) {
	done := make(chan struct{})
	go func() { src.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		// The reader is stuck in the driver; it ends with OpenCV's own
		// read timeout. The test result already says so.
	}
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += "; "
		}
		out += v
	}
	return out
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// testScanner opens the scanner, reads the empty platen, then captures a
// test finger and measures it.
func testScanner(ctx context.Context, opts Options, e registry.Entry) []Result {
	open := base(e, "scanner.open")
	start := time.Now()
	if e.USB != nil {
		open.Facts["usb_id"] = e.USB.ID()
		open.Facts["serial"] = e.USB.Serial
	}
	open.Facts["driver"] = e.Driver
	if e.Status != "ok" {
		open.Status, open.Message, open.DurationMS = Fail, e.Status, since(start)
		return []Result{open}
	}
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	sc, err := opts.Registry.OpenScanner(octx, e)
	cancel()
	open.DurationMS = since(start)
	if err != nil {
		open.Status, open.Message = Fail, explain(err)
		return []Result{open}
	}
	defer sc.Close()
	info := sc.Info()
	open.Status = Pass
	open.Facts["model"] = info.Model
	open.Facts["firmware"] = info.Firmware
	open.Metrics["width"] = float64(info.Width)
	open.Metrics["height"] = float64(info.Height)
	open.Metrics["ppi"] = float64(info.PPI)
	open.Metrics["open_ms"] = round(open.DurationMS, 1)
	open.Message = fmt.Sprintf("%s, firmware %s, %dx%d at %d ppi", info.Model, info.Firmware, info.Width, info.Height, info.PPI)
	out := []Result{open}

	// Empty platen: exercises the image path without a finger.
	empty := base(e, "scanner.empty_platen")
	t0 := time.Now()
	img, err := sc.Capture(ctx, finger.CaptureOptions{Unconditional: true, Timeout: 5 * time.Second})
	empty.DurationMS = since(t0)
	if err != nil {
		empty.Status, empty.Message = Fail, explain(err)
		markIfFaulty(opts, e, err)
		return append(out, empty)
	}
	st := finger.Measure(img.Gray)
	empty.Metrics["ms_per_capture"] = round(empty.DurationMS, 1)
	empty.Metrics["mean"] = round(st.Mean, 1)
	empty.Metrics["foreground"] = round(st.Foreground, 3)
	empty.Images = append(empty.Images, encodePNG("empty platen", img.Gray, false))
	if st.Foreground >= MinFingerArea {
		empty.Status = Fail
		empty.Message = fmt.Sprintf("the empty platen shows structure over %.0f%% of the area: clean the glass (or a finger was on it)", 100*st.Foreground)
	} else {
		empty.Status, empty.Message = Pass, "empty platen reads clean"
	}
	out = append(out, empty)

	// Test finger.
	fin := base(e, "scanner.finger_capture")
	opts.Prompt(fmt.Sprintf("Place a finger on %s (within %v)", e.Label(), opts.FingerTimeout))
	if e.Simulated {
		if sim := opts.Registry.SimScanner(); sim != nil {
			sim.PlaceFinger()
			defer sim.LiftFinger()
		}
	}
	t0 = time.Now()
	img, err = sc.Capture(ctx, finger.CaptureOptions{Timeout: opts.FingerTimeout})
	fin.DurationMS = since(t0)
	if err != nil {
		if errors.Is(err, finger.ErrTimeout) && !errors.Is(err, finger.ErrFaulty) {
			fin.Status, fin.Message = Skip, fmt.Sprintf("no finger placed within %v", opts.FingerTimeout)
		} else {
			fin.Status, fin.Message = Fail, explain(err)
			markIfFaulty(opts, e, err)
		}
		return append(out, fin)
	}
	st = finger.Measure(img.Gray)
	fin.Metrics["ms_per_capture"] = round(fin.DurationMS, 1)
	fin.Metrics["ppi"] = float64(img.PPI)
	fin.Metrics["width"] = float64(img.Gray.Rect.Dx())
	fin.Metrics["height"] = float64(img.Gray.Rect.Dy())
	fin.Metrics["foreground"] = round(st.Foreground, 3)
	fin.Metrics["contrast"] = round(st.Contrast, 1)
	fin.Metrics["mean"] = round(st.Mean, 1)
	fin.Facts["quality_method"] = "image statistics (foreground area, local contrast); not NFIQ 2"
	if !opts.NoBiometricImages {
		fin.Images = append(fin.Images, encodePNG("test finger", img.Gray, true))
	}
	switch {
	case st.Foreground < MinFingerArea:
		fin.Status, fin.Message = Fail, fmt.Sprintf("finger covers only %.0f%% of the image (need %.0f%%)", 100*st.Foreground, 100*MinFingerArea)
	case st.Contrast < MinFingerContrast:
		fin.Status, fin.Message = Fail, fmt.Sprintf("ridge contrast %.1f is low (need %.0f): clean the platen or check the sensor", st.Contrast, MinFingerContrast)
	default:
		fin.Status = Pass
		fin.Message = fmt.Sprintf("finger image %dx%d at %d ppi, area %.0f%%, contrast %.1f, %.0f ms",
			img.Gray.Rect.Dx(), img.Gray.Rect.Dy(), img.PPI, 100*st.Foreground, st.Contrast, fin.DurationMS)
	}
	return append(out, fin)
}

func markIfFaulty(opts Options, e registry.Entry, err error) {
	if errors.Is(err, finger.ErrFaulty) {
		opts.Registry.MarkFaulty(e.Key, err.Error())
	}
}

// explain adds what to do to the driver's error.
func explain(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, finger.ErrDisconnected):
		msg += " — check the cable and replug the scanner"
	case errors.Is(err, finger.ErrFaulty) && errors.Is(err, finger.ErrTimeout):
		msg += " — the scanner stopped answering: replug it; if it persists, replace it"
	case errors.Is(err, finger.ErrFaulty):
		msg += " — the scanner sent malformed data: replug it; if it persists, replace it"
	}
	return msg
}
