package finger

import (
	"math"
	"testing"
)

// sinePlane draws parallel ridges of the given period whose ridge lines
// run at angle theta (image radians, y down).
func sinePlane(w, h int, period, theta float64) *plane {
	p := newPlane(w, h)
	nx, ny := -math.Sin(theta), math.Cos(theta) // across the ridges
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := math.Cos(2 * math.Pi * (float64(x)*nx + float64(y)*ny) / period)
			p.Pix[y*w+x] = float32(128 + 80*v)
		}
	}
	return p
}

func fullMask(p *plane) *mask {
	_, std := blockStats(p)
	return segment(p, std, gradients(p))
}

func TestOrientationAndPeriodOnSyntheticRidges(t *testing.T) {
	for _, c := range []struct{ theta, period float64 }{{0, 9}, {math.Pi / 4, 8}, {math.Pi / 2, 11}, {2.5, 10}} {
		p := sinePlane(160, 160, c.period, c.theta)
		m := fullMask(p)
		if m.count() != len(m.On) {
			t.Errorf("θ=%.2f: mask covers %d of %d blocks of uniform ridges", c.theta, m.count(), len(m.On))
		}
		f := orientation(p, m)
		per := ridgePeriod(p, f, m)
		i := (f.BH/2)*f.BW + f.BW/2
		if d := angDiff(2*float64(f.Theta[i]), 2*c.theta) / 2; d > 0.05 {
			t.Errorf("θ=%.2f: orientation %.3f", c.theta, f.Theta[i])
		}
		if f.Coherence[i] < 0.9 {
			t.Errorf("θ=%.2f: coherence %.2f of perfect ridges", c.theta, f.Coherence[i])
		}
		if math.Abs(float64(per.V[i])-c.period) > 1 {
			t.Errorf("θ=%.2f: period %.2f, want %.0f", c.theta, per.V[i], c.period)
		}
	}
}

func TestSegmentBlankIsEmpty(t *testing.T) {
	p := newPlane(200, 200)
	for i := range p.Pix {
		p.Pix[i] = 180
	}
	if n := fullMask(p).count(); n != 0 {
		t.Errorf("blank image: %d foreground blocks", n)
	}
}

func TestThinGivesOnePixelRidges(t *testing.T) {
	b := &binary{W: 40, H: 20, Pix: make([]uint8, 800)}
	for y := 7; y <= 11; y++ {
		for x := 5; x < 35; x++ {
			b.Pix[y*40+x] = 1
		}
	}
	s := thin(b)
	for x := 10; x < 30; x++ {
		n := 0
		for y := 0; y < 20; y++ {
			n += int(s.Pix[y*40+x])
		}
		if n != 1 {
			t.Fatalf("column %d: %d skeleton pixels, want 1", x, n)
		}
	}
}

func TestCrossingNumberFindsMinutiae(t *testing.T) {
	// A Y: a stem from the left splitting into two branches.
	s := &binary{W: 60, H: 50, Pix: make([]uint8, 3000)}
	for x := 5; x <= 30; x++ {
		s.Pix[20*60+x] = 1
	}
	for d := 1; d <= 18; d++ {
		s.Pix[(20-d)*60+30+d] = 1
		s.Pix[(20+d)*60+30+d] = 1
	}
	if cn := crossing(s, 30, 20); cn != 3 {
		t.Errorf("fork: crossing number %d, want 3", cn)
	}
	if cn := crossing(s, 5, 20); cn != 1 {
		t.Errorf("end: crossing number %d, want 1", cn)
	}
	if cn := crossing(s, 15, 20); cn != 2 {
		t.Errorf("ridge: crossing number %d, want 2", cn)
	}
	m := &mask{BW: 8, BH: 7, On: make([]bool, 56)}
	for i := range m.On {
		m.On[i] = true
	}
	f := &orientField{BW: 8, BH: 7, Theta: make([]float32, 56), Coherence: make([]float32, 56)}
	var end, fork *minutia
	ms := detect(s, m, f)
	for i := range ms {
		switch {
		case ms[i].X == 5 && ms[i].Y == 20:
			end = &ms[i]
		case ms[i].X == 30 && ms[i].Y == 20:
			fork = &ms[i]
		}
	}
	if end == nil || fork == nil {
		t.Fatalf("minutiae %+v", ms)
	}
	// The ending points away from its ridge (left); the bifurcation
	// towards its stem (also left), so their duals agree.
	if angDiff(end.Dir, math.Pi) > 0.2 || angDiff(fork.Dir, math.Pi) > 0.2 {
		t.Errorf("directions: ending %.2f, bifurcation %.2f; want π", end.Dir, fork.Dir)
	}
	// The ridge filter keeps this Y (every branch is long)...
	filterRidges(ms, s, plainLimits)
	if end.drop || fork.drop {
		t.Error("ridge filter dropped real minutiae")
	}
	// ...and drops a spur: a 4-pixel branch off the stem, with its fork.
	for d := 1; d <= 4; d++ {
		s.Pix[(20+d)*60+15] = 1
	}
	ms = detect(s, m, f)
	filterRidges(ms, s, plainLimits)
	for _, mm := range ms {
		if !mm.drop && mm.X == 15 {
			t.Errorf("spur minutia at (%d,%d) kept", mm.X, mm.Y)
		}
	}
}

// Speckle (random grey, as on capacitive sensors) has the contrast of
// ridges but no flow: segment keeps the ridges and drops the speckle.
func TestSegmentDropsSpeckle(t *testing.T) {
	p := sinePlane(160, 160, 9, 0.7)
	seed := uint32(1)
	for y := 96; y < 160; y++ {
		for x := 0; x < 160; x++ {
			seed = seed*1664525 + 1013904223
			p.Pix[y*160+x] = float32(48 + seed>>24*160/256)
		}
	}
	m := fullMask(p)
	kept, speckle := 0, 0
	for by := 0; by < m.BH; by++ {
		for bx := 0; bx < m.BW; bx++ {
			on := m.On[by*m.BW+bx]
			if by < 11 && !on {
				t.Errorf("ridge block (%d,%d) dropped", bx, by)
			}
			if by >= 13 {
				speckle++
				if on {
					kept++
				}
			}
		}
	}
	// Blocks bordering the ridges see some of their flow.
	if kept*4 > speckle {
		t.Errorf("%d of %d speckle blocks kept", kept, speckle)
	}
}
