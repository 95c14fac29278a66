package uru4000

import (
	"context"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

// benchDecode measures frame decoding (header, keystream, assembly,
// inversion) for one model; the plain model is the baseline.
func benchDecode(b *testing.B, pid uint16) {
	m, _ := Lookup(0x05ba, pid)
	sim := NewSim(m, "BENCH", testImages())
	sim.PlaceFinger()
	sim.mu.Lock()
	frame := sim.frame()
	sim.mu.Unlock()
	bus := usbdev.NewSimBus()
	s, err := Open(context.Background(), bus, bus.Plug(sim))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	buf := make([]byte, len(frame))
	b.SetBytes(int64(len(frame)))
	b.ResetTimer()
	for range b.N {
		copy(buf, frame)
		if _, err := s.decodeFrame(context.Background(), buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePlain4000(b *testing.B)      { benchDecode(b, 0x0007) }
func BenchmarkDecodeScrambled4000B(b *testing.B) { benchDecode(b, 0x000a) }

// BenchmarkCaptureSim is a whole Capture through the simulated USB bus:
// mode writes, finger notification, bulk frame, key exchange, decode.
func BenchmarkCaptureSim(b *testing.B) {
	sim := NewSim4000B("BENCH", testImages())
	bus := usbdev.NewSimBus()
	s, err := Open(context.Background(), bus, bus.Plug(sim))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sim.PlaceFinger()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Capture(context.Background(), finger.CaptureOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
