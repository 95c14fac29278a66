package uru4000

import (
	"context"
	"errors"
	"image"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

func testImages() []*image.Gray {
	return []*image.Gray{finger.SyntheticRidges(388, 374, 1), finger.SyntheticRidges(388, 374, 2)}
}

func openSim(t *testing.T, sim *Sim) (*usbdev.SimBus, usbdev.DeviceInfo, *Scanner) {
	t.Helper()
	bus := usbdev.NewSimBus()
	info := bus.Plug(sim)
	s, err := Open(context.Background(), bus, info)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return bus, info, s
}

// diffPixels counts pixels differing by more than tol, skipping the line
// the device leaves out (filled from its neighbour).
func diffPixels(a, b *image.Gray, skipRow int) int {
	n := 0
	for y := 0; y < Height; y++ {
		if y == skipRow {
			continue
		}
		for x := 0; x < Width; x++ {
			d := int(a.GrayAt(x, y).Y) - int(b.GrayAt(x, y).Y)
			if d > 2 || d < -2 {
				n++
			}
		}
	}
	return n
}

func TestKeystreamRoundTrip(t *testing.T) {
	plain := make([]byte, 1000)
	for i := range plain {
		plain[i] = byte(i * 7)
	}
	enc, k1 := scramble(plain, 0xdeadbeef, 0x55)
	k2 := descramble(enc, 0xdeadbeef)
	if k1 != k2 {
		t.Fatalf("key after run: scramble %08x, descramble %08x", k1, k2)
	}
	for i := 0; i < len(plain)-1; i++ {
		if enc[i] != plain[i] {
			t.Fatalf("byte %d: got %02x want %02x", i, enc[i], plain[i])
		}
	}
	if enc[len(enc)-1] != 0 {
		t.Fatalf("last byte of a scrambled run must come out zero")
	}
	if skipKey(1, 0) != 1 || skipKey(0xdeadbeef, 1000) != k1 {
		t.Fatalf("skipKey disagrees with the run's key advance")
	}
}

func TestCaptureModels(t *testing.T) {
	for _, pid := range []uint16{0x000a, 0x0007} {
		m, _ := Lookup(0x05ba, pid)
		t.Run(m.Name, func(t *testing.T) {
			sim := NewSim(m, "SIM-1", testImages())
			_, _, s := openSim(t, sim)
			if s.Info().Firmware != "0211/0104" {
				t.Errorf("firmware %q, want 0211/0104 from REG_DEVICE_INFO", s.Info().Firmware)
			}
			if !s.Info().Simulated || s.Info().PPI != 512 || s.Info().Width != Width {
				t.Errorf("info %+v", s.Info())
			}
			go func() { time.Sleep(20 * time.Millisecond); sim.PlaceFinger() }()
			img, err := s.Capture(context.Background(), finger.CaptureOptions{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatalf("Capture: %v", err)
			}
			want := sim.Current()
			skip := 100
			if !m.Scrambled {
				skip = Height - 1 - 100
			}
			if d := diffPixels(img.Gray, want, skip); d > 8 {
				t.Errorf("%d pixels differ from the platen image", d)
			}
			if !s.FingerPresent() {
				t.Errorf("FingerPresent false after finger-on notification")
			}
			if sim.Mode() != ModeAwaitFingerOff {
				t.Errorf("mode after capture %#x, want await-finger-off", sim.Mode())
			}
			if st := finger.Measure(img.Gray); st.Foreground < finger.FingerPresentArea {
				t.Errorf("captured image stats %+v: no finger seen", st)
			}
		})
	}
}

func TestConfusedHWStatRecovers(t *testing.T) {
	sim := NewSim4000B("SIM-2", testImages())
	sim.SetHWStat(0x85)
	openSim(t, sim)
}

func TestTimeoutWithoutFinger(t *testing.T) {
	_, _, s := openSim(t, NewSim4000B("SIM-3", testImages()))
	_, err := s.Capture(context.Background(), finger.CaptureOptions{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, finger.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if s.Fault() != nil {
		t.Fatalf("a finger timeout must not mark the scanner faulty: %v", s.Fault())
	}
}

func TestCancel(t *testing.T) {
	_, _, s := openSim(t, NewSim4000B("SIM-4", testImages()))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(30 * time.Millisecond); cancel() }()
	_, err := s.Capture(ctx, finger.CaptureOptions{Timeout: 10 * time.Second})
	if !errors.Is(err, finger.ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
	// The scanner stays usable.
	_, err = s.Capture(context.Background(), finger.CaptureOptions{Unconditional: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("capture after cancel: %v", err)
	}
}

func TestUnplugMidCaptureAndReplug(t *testing.T) {
	sim := NewSim4000B("SIM-5", testImages())
	bus, info, s := openSim(t, sim)
	go func() { time.Sleep(30 * time.Millisecond); bus.Unplug(info.Address) }()
	_, err := s.Capture(context.Background(), finger.CaptureOptions{Timeout: time.Minute})
	if !errors.Is(err, finger.ErrDisconnected) {
		t.Fatalf("err = %v, want ErrDisconnected (not a timeout)", err)
	}
	if _, err := s.Capture(context.Background(), finger.CaptureOptions{}); !errors.Is(err, finger.ErrDisconnected) {
		t.Fatalf("capture on unplugged scanner: %v", err)
	}
	s.Close()
	// Replug: a new address, a fresh open, captures again.
	info2 := bus.Plug(sim)
	s2, err := Open(context.Background(), bus, info2)
	if err != nil {
		t.Fatalf("reopen after replug: %v", err)
	}
	defer s2.Close()
	sim.PlaceFinger()
	if _, err := s2.Capture(context.Background(), finger.CaptureOptions{Timeout: 5 * time.Second}); err != nil {
		t.Fatalf("capture after replug: %v", err)
	}
}

func TestStallMarksFaulty(t *testing.T) {
	sim := NewSim4000B("SIM-6", testImages())
	_, _, s := openSim(t, sim)
	sim.SetFault(SimStall)
	sim.PlaceFinger()
	_, err := s.Capture(context.Background(), finger.CaptureOptions{Timeout: 10 * time.Second})
	if !errors.Is(err, finger.ErrFaulty) || !errors.Is(err, finger.ErrTimeout) {
		t.Fatalf("err = %v, want ErrFaulty and ErrTimeout", err)
	}
	if s.Fault() == nil {
		t.Fatalf("stalled scanner not marked faulty")
	}
}

func TestGarbageFrames(t *testing.T) {
	sim := NewSim4000B("SIM-7", testImages())
	_, _, s := openSim(t, sim)
	sim.SetFault(SimGarbage)
	_, err := s.Capture(context.Background(), finger.CaptureOptions{Unconditional: true, Timeout: 5 * time.Second})
	if !errors.Is(err, finger.ErrFaulty) {
		t.Fatalf("err = %v, want ErrFaulty", err)
	}
}

func TestNoPowerIRQ(t *testing.T) {
	sim := NewSim4000B("SIM-8", testImages())
	sim.SetFault(SimNoPowerIRQ)
	bus := usbdev.NewSimBus()
	info := bus.Plug(sim)
	_, err := Open(context.Background(), bus, info)
	if !errors.Is(err, finger.ErrFaulty) || !errors.Is(err, finger.ErrTimeout) {
		t.Fatalf("err = %v, want ErrFaulty+ErrTimeout", err)
	}
}

func TestPermissionDenied(t *testing.T) {
	bus := usbdev.NewSimBus()
	info := bus.Plug(NewSim4000B("SIM-9", testImages()))
	bus.DenyAccess(info.Address, true)
	_, err := Open(context.Background(), bus, info)
	if !errors.Is(err, usbdev.ErrPermission) {
		t.Fatalf("err = %v, want ErrPermission", err)
	}
}

func TestPreview(t *testing.T) {
	sim := NewSim4000B("SIM-10", testImages())
	_, _, s := openSim(t, sim)
	n := 0
	err := s.Preview(context.Background(), func(img *finger.Image) bool {
		n++
		if n == 2 {
			sim.PlaceFinger()
		}
		if n == 4 {
			if !finger.Present(img.Gray) {
				t.Errorf("finger not detected in preview frame")
			}
			return false
		}
		if n == 1 && finger.Present(img.Gray) {
			t.Errorf("empty platen detected as finger")
		}
		return true
	})
	if err != nil || n != 4 {
		t.Fatalf("Preview: %v after %d frames", err, n)
	}
}

func TestUnsupportedModel(t *testing.T) {
	m, _ := Lookup(0x045e, 0x00ca)
	bus := usbdev.NewSimBus()
	info := bus.Plug(NewSim(m, "x", testImages()))
	if _, err := Open(context.Background(), bus, info); err == nil {
		t.Fatal("challenge-response model opened")
	}
}
