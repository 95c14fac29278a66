package emrtd

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
)

// Latency model of a contactless exchange: a fixed cost per APDU (reader
// firmware, USB round trip, card processing) plus the bits on the air at
// 424 kbit/s. The model is applied to the counted bytes; nothing sleeps.
const (
	perAPDU = 15 * time.Millisecond
	airRate = 424_000 // bit/s
)

type metered struct {
	t          *chipsim.Card
	apdus      int
	bytesOnAir int
}

func (m *metered) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	r, err := m.t.Transmit(ctx, apdu)
	m.apdus++
	m.bytesOnAir += len(apdu) + len(r)
	return r, err
}

func (m *metered) modeled() time.Duration {
	return time.Duration(m.apdus)*perAPDU + time.Duration(float64(m.bytesOnAir*8)/airRate*float64(time.Second))
}

// texturedPortrait makes a ~20 KB JPEG, the size of a real CCCD DG2.
func texturedPortrait() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 360, 480))
	seed := uint32(1)
	for y := 0; y < 480; y++ {
		for x := 0; x < 360; x++ {
			seed = seed*1664525 + 1013904223
			v := uint8(x/3+y/4) + uint8(seed>>28)
			img.Set(x, y, color.RGBA{v, v - 20, v - 40, 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 72})
	return buf.Bytes()
}

// BenchmarkReadBlockSizes reads a whole CCCD from the simulator with
// different READ BINARY sizes and reports APDUs and modeled card time.
//
//	go test -run '^$' -bench BenchmarkReadBlockSizes -benchtime 3x ./devices/chip/emrtd/
func BenchmarkReadBlockSizes(b *testing.B) {
	pki, err := chipsim.NewTestPKI("p256")
	if err != nil {
		b.Fatal(err)
	}
	p := chipsim.DemoPerson()
	p.Portrait = texturedPortrait()
	ts := &passiveauth.TrustStore{}
	ts.Add(pki.CSCADER)
	cases := []struct {
		name     string
		block    int
		extended bool
	}{
		{"naive-0xDF", 0xDF, false},
		{"short-0x80", 0x80, false},
		{"short-max-0xE7", 0xE7, false},
		{"extended-0x400", 0x400, true},
		{"extended-whole-file", 0, true},
	}
	var naive time.Duration
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var m *metered
			for i := 0; i < b.N; i++ {
				card, _, err := chipsim.NewCCCD(p, chipsim.Options{PKI: pki, Extended: c.extended})
				if err != nil {
					b.Fatal(err)
				}
				m = &metered{t: card}
				doc, err := Read(context.Background(), m, card.Key(), Options{MaxRead: c.block, Extended: c.extended, TrustStore: ts})
				if err != nil || !doc.PassiveAuth.Passed() {
					b.Fatal(err)
				}
				if i == 0 {
					b.ReportMetric(float64(len(doc.Raw[2])), "DG2-bytes")
				}
			}
			t := m.modeled()
			if c.name == "naive-0xDF" {
				naive = t
			}
			b.ReportMetric(float64(m.apdus), "APDUs/read")
			b.ReportMetric(float64(t.Milliseconds()), "modeled-ms/read")
			if naive > 0 {
				b.ReportMetric(float64(t)/float64(naive), "x-naive-time")
			}
			b.ReportMetric(float64(m.bytesOnAir), "air-bytes/read")
		})
	}
}
