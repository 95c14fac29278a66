package finger

import (
	"slices"
	"testing"
)

// allOn is a mask with every block of a w×h image on.
func allOn(w, h int) *mask {
	m := &mask{BW: (w + blockSize - 1) / blockSize, BH: (h + blockSize - 1) / blockSize}
	m.On = make([]bool, m.BW*m.BH)
	for i := range m.On {
		m.On[i] = true
	}
	return m
}

// stripes draws vertical ridges 4 pixels wide every 9 pixels.
func stripes(w, h int) *binary {
	b := &binary{w, h, make([]uint8, w*h)}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x%9 < 4 {
				b.Pix[y*w+x] = 1
			}
		}
	}
	return b
}

// TestSmoothBinary checks the vote on ridges with pores and specks: the
// pores are filled, the specks removed and the ridges left as they were
// (but at the image's edge, which the window reads as valley);
// and a clean image is passed through untouched (the gate).
func TestSmoothBinary(t *testing.T) {
	const w, h = 90, 96
	m := allOn(w, h)
	clean := stripes(w, h)
	if got := smoothBinary(clean, m); got != clean {
		t.Errorf("clean ridges: smoothed, want passed through")
	}
	noisy := stripes(w, h)
	for y := 3; y < h-3; y += 2 {
		for x := 0; x+6 < w; x += 9 {
			noisy.Pix[y*w+x+1] = 0 // pore in the ridge
			noisy.Pix[y*w+x+6] = 1 // speck in the valley
		}
	}
	got := smoothBinary(noisy, m)
	want := stripes(w, h)
	for i := range want.Pix {
		x, y := i%w, i/w
		inner := x >= voteRadius && y >= voteRadius && x < w-voteRadius && y < h-voteRadius
		if inner && got.Pix[i] != want.Pix[i] {
			t.Fatalf("pixel (%d,%d) is %d, want %d", x, y, got.Pix[i], want.Pix[i])
		}
	}
}

// TestSmoothBinaryMatchesReference checks the running-sum vote against
// the plain window count on random images of odd sizes and partial masks,
// noisy enough to pass the gate (TestStagesMatchReference checks the
// stage cases' real images).
func TestSmoothBinaryMatchesReference(t *testing.T) {
	seed := uint32(7)
	rnd := func() uint32 { seed = seed*1664525 + 1013904223; return seed >> 8 }
	for _, sz := range [][2]int{{1, 1}, {3, 7}, {17, 5}, {64, 64}, {100, 37}, {129, 131}} {
		w, h := sz[0], sz[1]
		b := &binary{w, h, make([]uint8, w*h)}
		for i := range b.Pix {
			b.Pix[i] = uint8(rnd() & 1)
		}
		m := allOn(w, h)
		for i := range m.On {
			m.On[i] = rnd()%4 != 0
		}
		for i := range b.Pix {
			if !m.pixel(i%w, i/w) {
				b.Pix[i] = 0
			}
		}
		if want, got := refSmoothBinary(b, m), smoothBinary(b, m); !slices.Equal(want.Pix, got.Pix) || (want == b) != (got == b) {
			t.Errorf("%d×%d: differs from the reference", w, h)
		}
	}
}
