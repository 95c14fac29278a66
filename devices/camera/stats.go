package camera

import (
	"image"
	"math"
)

// Stats are per-frame measurements for self-tests and capture hints.
type Stats struct {
	// Luminance is the mean grey level, 0–255.
	Luminance float64 `json:"luminance"`
	// Clipped is the fraction of pixels at ≤5 or ≥250 (over/under-exposure).
	Clipped float64 `json:"clipped"`
	// Sharpness is the variance of the 4-neighbour Laplacian of the grey
	// image: higher is sharper; a defocused or smeared lens gives low values.
	Sharpness float64 `json:"sharpness"`
}

// Measure computes Stats of img.
func Measure(img *image.RGBA) Stats {
	b := img.Rect
	w, h := b.Dx(), b.Dy()
	if w < 3 || h < 3 {
		return Stats{}
	}
	gray := make([]float64, w*h)
	var sum float64
	clipped := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := (y)*img.Stride + x*4
			v := 0.299*float64(img.Pix[i]) + 0.587*float64(img.Pix[i+1]) + 0.114*float64(img.Pix[i+2])
			gray[y*w+x] = v
			sum += v
			if v <= 5 || v >= 250 {
				clipped++
			}
		}
	}
	var ls, lsq float64
	n := 0
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			l := gray[(y-1)*w+x] + gray[(y+1)*w+x] + gray[y*w+x-1] + gray[y*w+x+1] - 4*gray[y*w+x]
			ls += l
			lsq += l * l
			n++
		}
	}
	m := ls / float64(n)
	return Stats{
		Luminance: sum / float64(w*h),
		Clipped:   float64(clipped) / float64(w*h),
		Sharpness: math.Max(0, lsq/float64(n)-m*m),
	}
}
