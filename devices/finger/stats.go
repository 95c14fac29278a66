package finger

import (
	"image"
	"math"
)

// Stats are simple image statistics of a fingerprint image. They are not
// NFIQ 2: they tell a technician whether the sensor sees a finger with
// contrast, not how well it will match.
type Stats struct {
	// Mean and StdDev of grey levels over the whole image.
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stddev"`
	// Foreground is the fraction of 16×16 blocks whose local standard
	// deviation shows ridge structure (> ForegroundBlockStdDev).
	Foreground float64 `json:"foreground"`
	// Contrast is the mean local standard deviation of foreground blocks.
	Contrast float64 `json:"contrast"`
}

// ForegroundBlockStdDev is the local grey-level deviation above which a
// block counts as ridges rather than empty platen.
const ForegroundBlockStdDev = 12

// FingerPresentArea is the foreground fraction above which a frame is
// taken to show a finger.
const FingerPresentArea = 0.15

// Measure computes Stats for g.
func Measure(g *image.Gray) Stats {
	var s Stats
	b := g.Bounds()
	n := b.Dx() * b.Dy()
	if n == 0 {
		return s
	}
	var sum, sq float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := g.Pix[(y-b.Min.Y)*g.Stride : (y-b.Min.Y)*g.Stride+b.Dx()]
		for _, p := range row {
			v := float64(p)
			sum += v
			sq += v * v
		}
	}
	s.Mean = sum / float64(n)
	s.StdDev = math.Sqrt(math.Max(0, sq/float64(n)-s.Mean*s.Mean))
	const bs = 16
	var blocks, fg int
	var contrast float64
	for by := b.Min.Y; by+bs <= b.Max.Y; by += bs {
		for bx := b.Min.X; bx+bs <= b.Max.X; bx += bs {
			var bsum, bsq float64
			for y := by; y < by+bs; y++ {
				off := (y-b.Min.Y)*g.Stride + (bx - b.Min.X)
				for _, p := range g.Pix[off : off+bs] {
					v := float64(p)
					bsum += v
					bsq += v * v
				}
			}
			m := bsum / (bs * bs)
			sd := math.Sqrt(math.Max(0, bsq/(bs*bs)-m*m))
			blocks++
			if sd > ForegroundBlockStdDev {
				fg++
				contrast += sd
			}
		}
	}
	if blocks > 0 {
		s.Foreground = float64(fg) / float64(blocks)
	}
	if fg > 0 {
		s.Contrast = contrast / float64(fg)
	}
	return s
}

// Present reports whether g shows a finger, by foreground area.
func Present(g *image.Gray) bool { return Measure(g).Foreground >= FingerPresentArea }
