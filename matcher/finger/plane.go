package finger

import (
	"image"
	"math"
	"sync"
)

// plane is a float32 image used between stages.
type plane struct {
	W, H int
	Pix  []float32
}

// newPlane returns a zeroed plane, its pixels recycled when possible.
func newPlane(w, h int) *plane {
	p := reusePlane(w, h)
	clear(p.Pix)
	return p
}

// reusePlane is newPlane for callers that write every pixel: a recycled
// plane keeps the last image's pixels.
func reusePlane(w, h int) *plane { return &plane{W: w, H: h, Pix: takeSlice[float32](&floatPool, w*h)} }

// recycle hands p's pixels back for the next image; p must not be used
// after. Nil planes are ignored.
func (p *plane) recycle() {
	if p != nil {
		recycleSlice(&floatPool, p.Pix)
		p.Pix = nil
	}
}

// The planes, binary images and pixel lists of one image are a few
// hundred kilobytes each. They are recycled across extractions: fresh
// heap memory must be zeroed, faulted in and later collected, which cost
// about a tenth of Extract. Buffers not handed back are simply collected.
var (
	floatPool sync.Pool // *[]float32
	bytePool  sync.Pool // *[]uint8
	indexPool sync.Pool // *[]int32
	wordPool  sync.Pool // *[]uint64
)

// takeSlice returns n elements from pool if it holds a large enough
// buffer, else fresh ones. Recycled elements hold what they held: callers
// that need zeros clear them.
func takeSlice[T any](pool *sync.Pool, n int) []T {
	if p, ok := pool.Get().(*[]T); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]T, n)
}

// recycleSlice hands s back to pool; s must not be used after.
func recycleSlice[T any](pool *sync.Pool, s []T) {
	if cap(s) > 0 {
		pool.Put(&s)
	}
}

func (p *plane) at(x, y int) float32 { return p.Pix[y*p.W+x] }

// toGray maps the plane's range onto 0–255 for debug PNGs.
func (p *plane) toGray() *image.Gray {
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, v := range p.Pix {
		lo, hi = min(lo, v), max(hi, v)
	}
	g := image.NewGray(image.Rect(0, 0, p.W, p.H))
	if hi <= lo {
		return g
	}
	for i, v := range p.Pix {
		g.Pix[i] = uint8((v - lo) / (hi - lo) * 255)
	}
	return g
}

// resample converts img to a plane at 500 ppi with bilinear interpolation.
func resample(img Image) *plane {
	g := img.Gray
	w, h := g.Rect.Dx(), g.Rect.Dy()
	ppi := img.PPI
	if ppi <= 0 {
		ppi = 500
	}
	s := 500 / ppi
	if math.Abs(s-1) < 0.02 {
		p := reusePlane(w, h)
		for y := 0; y < h; y++ {
			row := g.Pix[y*g.Stride : y*g.Stride+w]
			for x, v := range row {
				p.Pix[y*w+x] = float32(v)
			}
		}
		return p
	}
	nw, nh := max(1, int(math.Round(float64(w)*s))), max(1, int(math.Round(float64(h)*s)))
	p := reusePlane(nw, nh)
	// The horizontal weights depend on x alone: computed once per column,
	// with the same expressions as per pixel.
	type tap struct {
		x0, x1 int
		wx     float32
	}
	cols := make([]tap, nw)
	for x := range cols {
		fx := min(max((float64(x)+0.5)/s-0.5, 0), float64(w-1))
		x0 := int(fx)
		cols[x] = tap{x0, min(x0+1, w-1), float32(fx - float64(x0))}
	}
	for y := 0; y < nh; y++ {
		fy := min(max((float64(y)+0.5)/s-0.5, 0), float64(h-1))
		y0 := int(fy)
		y1 := min(y0+1, h-1)
		wy := float32(fy - float64(y0))
		r0, r1 := g.Pix[y0*g.Stride:][:w], g.Pix[y1*g.Stride:][:w]
		dst := p.Pix[y*nw:][:nw]
		for x, c := range cols {
			a := float32(r0[c.x0])*(1-c.wx) + float32(r0[c.x1])*c.wx
			b := float32(r1[c.x0])*(1-c.wx) + float32(r1[c.x1])*c.wx
			dst[x] = a*(1-wy) + b*wy
		}
	}
	return p
}
