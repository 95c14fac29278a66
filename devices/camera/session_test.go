package camera

import (
	"errors"
	"image"
	"testing"
	"time"
)

// stallGrabber delivers a few frames, then behaves like a camera whose
// reads time out inside the driver.
type stallGrabber struct {
	n, good int
}

func (g *stallGrabber) open() (Info, error) {
	g.n = 0
	return Info{Name: "stall", Width: 8, Height: 8}, nil
}
func (g *stallGrabber) grab() (*image.RGBA, error) {
	g.n++
	if g.n <= g.good {
		return image.NewRGBA(image.Rect(0, 0, 8, 8)), nil
	}
	time.Sleep(20 * time.Millisecond) // the driver's select timeout, shortened
	return nil, errors.New("read timed out: " + ErrStalled.Error())
}
func (g *stallGrabber) close() error { return nil }

func TestStalledCameraEndsSession(t *testing.T) {
	src := &session{g: &stallGrabber{good: 3}}
	if err := src.Open(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for range src.Frames() {
		n++
	}
	if n == 0 || src.Err() == nil {
		t.Fatalf("%d frames, err %v: a stalled camera must end the session with an error", n, src.Err())
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	// And it can be reopened (the technician replugged it).
	if err := src.Open(); err != nil {
		t.Fatal(err)
	}
	<-src.Frames()
	src.Close()
}
