package uru4000

import (
	"context"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

// FuzzDecodeFrame feeds arbitrary device frames to the frame decoder: it
// must answer with an image or an error, never panic.
func FuzzDecodeFrame(f *testing.F) {
	sim := NewSim4000B("FUZZ", testImages())
	sim.PlaceFinger()
	sim.mu.Lock()
	good := sim.frame()
	sim.mu.Unlock()
	f.Add(good[:HeaderLen+Width*3])
	f.Add(make([]byte, HeaderLen))
	f.Add([]byte{0, 0, 0, 0, 0xff, 0xff})
	hdr := make([]byte, HeaderLen+Width*2)
	putHeader(hdr, header{lines: 2, blocks: [maxBlocks]block{{BlockEncrypted | BlockChangeKey, 1}, {BlockNotPresent, 5}, {0, 1}}})
	f.Add(hdr)
	bus := usbdev.NewSimBus()
	info := bus.Plug(sim)
	s, err := Open(context.Background(), bus, info)
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, frame []byte) {
		g, err := s.decodeFrame(context.Background(), frame)
		if err == nil && (g.Rect.Dx() != Width || g.Rect.Dy() != Height) {
			t.Fatalf("image %v", g.Rect)
		}
	})
}

func TestCaptureSharedFVC(t *testing.T) {
	dir := sharedFVC(t)
	imgs, err := finger.LoadTIFFDir(dir, 2)
	if err != nil || len(imgs) != 2 {
		t.Fatalf("load FVC: %v (%d)", err, len(imgs))
	}
	sim := NewSim4000B("SIM-FVC", imgs)
	_, _, s := openSim(t, sim)
	sim.PlaceFinger()
	img, err := s.Capture(context.Background(), finger.CaptureOptions{Timeout: 5 * 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffPixels(img.Gray, sim.Current(), 100); d > 8 {
		t.Errorf("%d pixels differ", d)
	}
	st := finger.Measure(img.Gray)
	t.Logf("FVC2002 DB1 101_1 through the simulated 4000B: %+v", st)
	if st.Foreground < 0.3 {
		t.Errorf("foreground %.2f on a real fingerprint", st.Foreground)
	}
}
