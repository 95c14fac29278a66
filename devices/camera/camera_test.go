package camera

import (
	"fmt"
	"image"
	"image/color"
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// writeTestVideo writes n frames of a moving white square on grey as an
// MJPG .avi, as a webcam recording would be.
func writeTestVideo(t *testing.T, n, w, h int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.avi")
	vw, err := gocv.VideoWriterFile(path, "MJPG", 25, w, h, true)
	if err != nil {
		t.Fatalf("VideoWriterFile: %v", err)
	}
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer m.Close()
	for i := 0; i < n; i++ {
		m.SetTo(gocv.NewScalar(90, 90, 90, 0))
		x := (i * 7) % (w - 40)
		gocv.Rectangle(&m, image.Rect(x, 20, x+40, 60), color.RGBA{255, 255, 255, 0}, -1)
		if err := vw.Write(m); err != nil {
			t.Fatalf("write frame %d: %v", i, err)
		}
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFileSource(t *testing.T) {
	path := writeTestVideo(t, 30, 160, 120)
	src := Open(Config{Device: path, Simulated: true})
	for round := 0; round < 2; round++ { // second round: reopen after Close
		if err := src.Open(); err != nil {
			t.Fatalf("open (round %d): %v", round, err)
		}
		info := src.Info()
		if info.Width != 160 || info.Height != 120 || !info.Simulated {
			t.Fatalf("info %+v", info)
		}
		var last Frame
		n := 0
		for f := range src.Frames() {
			if f.Seq <= last.Seq || f.Time.Before(last.Time) {
				t.Fatalf("frame %d after %d: sequence or time went back", f.Seq, last.Seq)
			}
			if f.Image.Rect.Dx() != 160 || !f.Simulated {
				t.Fatalf("frame %+v", f.Image.Rect)
			}
			last = f
			n++
			time.Sleep(time.Millisecond) // let the reader overtake now and then
		}
		if src.Err() != nil {
			t.Fatalf("Err after end of file: %v", src.Err())
		}
		if last.Seq != 30 || uint64(n)+src.Dropped() < 30 {
			t.Fatalf("round %d: last seq %d, received %d, dropped %d", round, last.Seq, n, src.Dropped())
		}
		// The square is white on grey: check the pixels survived MJPEG.
		st := Measure(last.Image)
		if st.Luminance < 80 || st.Luminance > 140 || st.Sharpness < 10 {
			t.Fatalf("frame stats %+v", st)
		}
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLatestFrameWins(t *testing.T) {
	path := writeTestVideo(t, 40, 64, 64)
	src := Open(Config{Device: path})
	if err := src.Open(); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// A consumer that stalls: the reader must not block or queue; it
	// drops frames instead.
	for deadline := time.Now().Add(30 * time.Second); src.Dropped() < 5 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	var got []uint64
	for f := range src.Frames() {
		got = append(got, f.Seq)
	}
	if len(got) == 0 || got[len(got)-1] != 40 {
		t.Fatalf("got %v, want the stream to end with frame 40", got)
	}
	if src.Dropped() == 0 || len(got) >= 40 {
		t.Fatalf("stalled consumer received %d frames, dropped %d: no back-pressure", len(got), src.Dropped())
	}
}

func TestCloseMidStreamAndLoop(t *testing.T) {
	path := writeTestVideo(t, 10, 64, 64)
	src := Open(Config{Device: path, Loop: true, Realtime: true})
	if err := src.Open(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for f := range src.Frames() {
		n++
		if f.Seq >= 15 { // looped past the end of the 10-frame file
			break
		}
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-src.Frames(); ok {
		// one buffered frame may remain; the channel must close after it
		for range src.Frames() {
		}
	}
}

func TestOpenMissing(t *testing.T) {
	src := Open(Config{Device: filepath.Join(t.TempDir(), "nope.avi")})
	if err := src.Open(); err == nil {
		src.Close()
		t.Fatal("opened a missing file")
	}
}

func TestSynthetic(t *testing.T) {
	face := image.NewRGBA(image.Rect(0, 0, 50, 80))
	src := Synthetic(64, 48, 200, []image.Image{face})
	if err := src.Open(); err != nil {
		t.Fatal(err)
	}
	f := <-src.Frames()
	if !f.Simulated || f.Image.Rect.Dx() != 64 || !src.Info().Simulated {
		t.Fatalf("frame %+v info %+v", f.Image.Rect, src.Info())
	}
	src.Close()
	if err := src.Open(); err != nil {
		t.Fatal(err)
	}
	if f := <-src.Frames(); f.Seq != 1 {
		t.Fatalf("reopened source starts at seq %d", f.Seq)
	}
	src.Close()
}

func TestEnumerate(t *testing.T) {
	devs, err := Enumerate()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d V4L2 nodes: %+v", len(devs), devs)
}

func TestBestSize(t *testing.T) {
	d := Device{Sizes: []string{"MJPG 640x480", "MJPG 1920x1080", "MJPG 1280x720", "YUYV 1280x720", "YUYV 640x480"}}
	for _, c := range []struct {
		f      string
		mw, mh int
		w, h   int
		ok     bool
	}{
		{"MJPG", 1280, 720, 1280, 720, true},
		{"MJPG", 4000, 3000, 1920, 1080, true},
		{"YUYV", 1000, 1000, 640, 480, true},
		{"H264", 1920, 1080, 0, 0, false},
	} {
		w, h, ok := d.BestSize(c.f, c.mw, c.mh)
		if w != c.w || h != c.h || ok != c.ok {
			t.Errorf("BestSize(%s, %d, %d) = %d, %d, %v", c.f, c.mw, c.mh, w, h, ok)
		}
	}
}

func TestImageSequence(t *testing.T) {
	dir := t.TempDir()
	m := gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8UC3)
	defer m.Close()
	for i := 0; i < 5; i++ {
		m.SetTo(gocv.NewScalar(float64(40*i), 100, 200, 0))
		if !gocv.IMWrite(filepath.Join(dir, fmt.Sprintf("seq_%03d.png", i)), m) {
			t.Fatal("IMWrite failed")
		}
	}
	src := Open(Config{Device: filepath.Join(dir, "seq_%03d.png")})
	if err := src.Open(); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var seqs []uint64
	var last Frame
	for f := range src.Frames() {
		seqs = append(seqs, f.Seq)
		last = f
		time.Sleep(2 * time.Millisecond)
	}
	if last.Seq != 5 || last.Image.Rect.Dx() != 64 {
		t.Fatalf("frames %v, last %v", seqs, last.Image.Rect)
	}
	// Last frame is BGR (160,100,200): RGBA (200,100,160).
	if p := last.Image.Pix[:4]; p[0] != 200 || p[1] != 100 || p[2] != 160 {
		t.Fatalf("pixel %v", p)
	}
}
