package camera

import (
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"gocv.io/x/gocv"
)

// Config selects what a gocv-backed Source opens and asks for.
type Config struct {
	// Device is a V4L2 node (/dev/video0), a video file (MJPG .avi, .mp4),
	// an image sequence pattern (seq_%03d.png) or a stream URL.
	Device string
	// Width, Height and FPS are requested from cameras (0 = driver default).
	Width, Height int
	FPS           float64
	// MJPEG asks a camera for Motion-JPEG, which most USB webcams need
	// for full frame rate at 720p and above.
	MJPEG bool
	// Realtime paces files to their frame rate instead of reading them as
	// fast as possible (demo mode).
	Realtime bool
	// Loop restarts files at their end instead of ending the session.
	Loop bool
	// Simulated marks the frames (demo files stand in for a camera).
	Simulated bool
}

// Open returns a Source for cfg; nothing is opened until Source.Open.
func Open(cfg Config) Source {
	return &session{g: &cvGrabber{cfg: cfg}, simulated: cfg.Simulated}
}

type cvGrabber struct {
	cfg     Config
	vc      *gocv.VideoCapture
	mat     gocv.Mat
	rgba    gocv.Mat // conversion scratch
	isFile  bool
	period  time.Duration
	next    time.Time
	empties int
}

// isV4L2 reports whether dev names a V4L2 node and its index.
func isV4L2(dev string) (int, bool) {
	if !strings.HasPrefix(dev, "/dev/video") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(dev, "/dev/video"))
	return n, err == nil
}

func (g *cvGrabber) open() (Info, error) {
	cfg := g.cfg
	var err error
	info := Info{Name: cfg.Device}
	if idx, ok := isV4L2(cfg.Device); ok {
		if f, oerr := os.OpenFile(cfg.Device, os.O_RDWR, 0); oerr != nil {
			if errors.Is(oerr, os.ErrPermission) {
				return info, fmt.Errorf("camera %s: %w\n%s", cfg.Device, oerr, UdevHint(cfg.Device))
			}
			return info, fmt.Errorf("camera %s: %w", cfg.Device, oerr)
		} else {
			f.Close()
		}
		g.vc, err = gocv.VideoCaptureDeviceWithAPI(idx, gocv.VideoCaptureV4L2)
		if err == nil && g.vc.IsOpened() {
			if cfg.MJPEG {
				g.vc.Set(gocv.VideoCaptureFOURCC, g.vc.ToCodec("MJPG"))
			}
			if cfg.Width > 0 && cfg.Height > 0 {
				g.vc.Set(gocv.VideoCaptureFrameWidth, float64(cfg.Width))
				g.vc.Set(gocv.VideoCaptureFrameHeight, float64(cfg.Height))
			}
			if cfg.FPS > 0 {
				g.vc.Set(gocv.VideoCaptureFPS, cfg.FPS)
			}
		}
		info.Backend = "V4L2"
	} else {
		// Files through FFMPEG: OpenCV's GStreamer backend lacks plugins
		// on Debian and fails on the same files.
		api := gocv.VideoCaptureFFmpeg
		if strings.Contains(cfg.Device, "%") {
			api = gocv.VideoCaptureImages
		}
		g.vc, err = gocv.VideoCaptureFileWithAPI(cfg.Device, api)
		g.isFile = true
		info.Backend = api.String()
	}
	if err != nil || g.vc == nil || !g.vc.IsOpened() {
		if g.vc != nil {
			g.vc.Close()
			g.vc = nil
		}
		if err == nil {
			err = errors.New("backend could not open it")
		}
		return info, fmt.Errorf("camera %s: %w", cfg.Device, err)
	}
	g.mat = gocv.NewMat()
	g.rgba = gocv.NewMat()
	info.Width = int(g.vc.Get(gocv.VideoCaptureFrameWidth))
	info.Height = int(g.vc.Get(gocv.VideoCaptureFrameHeight))
	info.FPS = g.vc.Get(gocv.VideoCaptureFPS)
	info.FourCC = strings.TrimRight(g.vc.CodecString(), "\x00 ")
	info.Exposure = finite(g.vc.Get(gocv.VideoCaptureExposure))
	info.Focus = finite(g.vc.Get(gocv.VideoCaptureFocus))
	g.period = 0
	if g.isFile && cfg.Realtime && info.FPS > 0 {
		g.period = time.Duration(float64(time.Second) / info.FPS)
	}
	g.next = time.Now()
	g.empties = 0
	return info, nil
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// maxEmptyReads is how many failed reads in a row end a camera session:
// V4L2 reads fail after OpenCV's select timeout (10 s by default).
const maxEmptyReads = 3

func (g *cvGrabber) grab() (*image.RGBA, error) {
	if g.period > 0 {
		if d := time.Until(g.next); d > 0 {
			time.Sleep(d)
		}
		g.next = g.next.Add(g.period)
	}
	for {
		if g.vc.Read(&g.mat) && !g.mat.Empty() {
			g.empties = 0
			break
		}
		if g.isFile {
			if g.cfg.Loop {
				g.vc.Set(gocv.VideoCapturePosFrames, 0)
				g.empties++
				if g.empties > 1 {
					return nil, fmt.Errorf("camera %s: cannot restart the file", g.cfg.Device)
				}
				continue
			}
			return nil, ErrEndOfStream
		}
		g.empties++
		if g.empties >= maxEmptyReads {
			return nil, fmt.Errorf("%w: %s returned no frame %d times in a row", ErrStalled, g.cfg.Device, g.empties)
		}
	}
	return matToRGBA(g.mat, &g.rgba)
}

// matToRGBA converts a BGR, BGRA or grey Mat to RGBA in Go memory, so
// frames outlive the Mat and need no Close. OpenCV does the channel
// shuffle (SIMD) into scratch; Go copies the result once.
func matToRGBA(m gocv.Mat, scratch *gocv.Mat) (*image.RGBA, error) {
	var code gocv.ColorConversionCode
	switch m.Channels() {
	case 3:
		code = gocv.ColorBGRToRGBA
	case 4:
		code = gocv.ColorBGRAToRGBA
	case 1:
		code = gocv.ColorGrayToBGRA // grey to 4 equal channels plus alpha
	default:
		return nil, fmt.Errorf("camera: %d-channel frame", m.Channels())
	}
	if m.Type()&7 != gocv.MatTypeCV8U {
		return nil, fmt.Errorf("camera: frame type %v is not 8-bit", m.Type())
	}
	gocv.CvtColor(m, scratch, code)
	data, err := scratch.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("camera: %w", err)
	}
	w, h := scratch.Cols(), scratch.Rows()
	if len(data) < w*h*4 {
		return nil, fmt.Errorf("camera: frame of %d bytes for %dx%d", len(data), w, h)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	copy(img.Pix, data)
	if m.Channels() == 4 {
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 0xff
		}
	}
	return img, nil
}

func (g *cvGrabber) close() error {
	if g.vc == nil {
		return nil
	}
	g.mat.Close()
	g.rgba.Close()
	err := g.vc.Close()
	g.vc = nil
	return err
}
