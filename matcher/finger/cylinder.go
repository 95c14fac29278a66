package finger

import (
	"math"
	"math/bits"
	"sort"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// Minutia Cylinder-Code (Cappelli, Ferrara, Maltoni 2010), bit version,
// laid out so one comparison is a handful of 64-bit popcounts: a cylinder
// of radius cylR around each minutia has cylNs×cylNs = 64 spatial cells,
// one uint64 per direction layer with one bit per cell, and one uint64
// saying which cells lie inside the finger area (valid).
const (
	cylR      = 70.0
	cylNs     = 8
	cylNd     = 6
	cylSigmaS = 28.0 / 3
	cylSigmaD = 2 * math.Pi / 9
	cylMu     = 0.01 // a cell's bit is set when its contribution exceeds this
	cylOmega  = 50.0 // the finger area is the minutiae's convex hull grown by this
	// minValidCells is the fewest valid cells a cylinder needs to be used,
	// and minCommon the fraction of them two cylinders must share.
	minValidCells = 20
	minCommon     = 0.6
)

// cylinder is one minutia's local descriptor.
type cylinder struct {
	X, Y  float32
	Dir   float32 // radians, image coordinates
	NV    uint32  // valid cells, the popcount of Valid
	Valid uint64
	Bits  [cylNd]uint64
}

// cylCells lists the spatial cells inside the cylinder's disc, as bit
// index and offset of the cell centre from the minutia in its own frame.
var cylCells = func() (cells []struct {
	bit    int
	dx, dy float64
}) {
	d := 2 * cylR / cylNs
	for j := 0; j < cylNs; j++ {
		for i := 0; i < cylNs; i++ {
			dx, dy := (float64(i)-float64(cylNs-1)/2)*d, (float64(j)-float64(cylNs-1)/2)*d
			if math.Hypot(dx, dy) <= cylR {
				cells = append(cells, struct {
					bit    int
					dx, dy float64
				}{j*cylNs + i, dx, dy})
			}
		}
	}
	return cells
}()

// cylinders builds the descriptor of every minutia of t. Angles are
// converted from ISO's counter-clockwise convention to image coordinates.
func cylinders(t *template.Template) []cylinder {
	ms := t.Minutiae
	n := len(ms)
	xs, ys, ds := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, m := range ms {
		xs[i], ys[i], ds[i] = float64(m.X), float64(m.Y), -m.Angle
	}
	hull := convexHull(xs, ys)
	out := make([]cylinder, 0, n)
	// A neighbour's directional contribution depends only on the pair of
	// minutiae, not on the cell, and neighbours farther than cylR + 3σ
	// reach no cell: both are worked out once per minutia, not per cell.
	type neighbour struct {
		x, y float64
		cd   [cylNd]float64
	}
	near := make([]neighbour, 0, n)
	reach := cylR + 3*cylSigmaS + 1
	for i := 0; i < n; i++ {
		c := cylinder{X: float32(xs[i]), Y: float32(ys[i]), Dir: float32(math.Mod(ds[i]+4*math.Pi, 2*math.Pi))}
		co, si := math.Cos(ds[i]), math.Sin(ds[i])
		near = near[:0]
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			if dx, dy := xs[j]-xs[i], ys[j]-ys[i]; dx*dx+dy*dy > reach*reach {
				continue
			}
			// The probability mass of MCC's directional Gaussian falling in
			// each direction bin.
			nb := neighbour{x: xs[j], y: ys[j]}
			dphi := wrapPi(ds[j] - ds[i])
			const half = math.Pi / cylNd
			for k := 0; k < cylNd; k++ {
				phik := -math.Pi + (float64(k)+0.5)*2*math.Pi/cylNd
				a := wrapPi(dphi - phik)
				nb.cd[k] = 0.5 * (math.Erf((a+half)/(cylSigmaD*math.Sqrt2)) - math.Erf((a-half)/(cylSigmaD*math.Sqrt2)))
			}
			near = append(near, nb)
		}
		for _, cell := range cylCells {
			px := xs[i] + cell.dx*co - cell.dy*si
			py := ys[i] + cell.dx*si + cell.dy*co
			if !nearHull(hull, px, py, cylOmega) || !inImage(t, px, py) {
				continue
			}
			c.Valid |= 1 << cell.bit
			var contrib [cylNd]float64
			for _, nb := range near {
				ddx, ddy := nb.x-px, nb.y-py
				d2 := ddx*ddx + ddy*ddy
				if d2 > 9*cylSigmaS*cylSigmaS {
					continue
				}
				// MCC's normalised spatial Gaussian times the directional term.
				cs := math.Exp(-d2/(2*cylSigmaS*cylSigmaS)) / (cylSigmaS * math.Sqrt(2*math.Pi))
				for k := 0; k < cylNd; k++ {
					contrib[k] += cs * nb.cd[k]
				}
			}
			for k, v := range contrib {
				if v > cylMu {
					c.Bits[k] |= 1 << cell.bit
				}
			}
		}
		c.NV = uint32(bits.OnesCount64(c.Valid))
		if c.NV >= minValidCells {
			out = append(out, c)
		}
	}
	return out
}

// inImage reports whether (x, y) lies in the image the template was taken
// from, when its size is known: no minutia can lie beyond the sensor's
// edge, so cells there would count as disagreement between two
// impressions that are merely placed differently (small sensors most).
// Allowing 10 pixels beyond the edge did no better, 8 short of it worse.
func inImage(t *template.Template, x, y float64) bool {
	if t.Width <= 0 || t.Height <= 0 {
		return true
	}
	return x >= 0 && y >= 0 && x < float64(t.Width) && y < float64(t.Height)
}

func wrapPi(a float64) float64 {
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// convexHull returns the hull of the points counter-clockwise (Andrew's
// monotone chain).
func convexHull(xs, ys []float64) [][2]float64 {
	pts := make([][2]float64, len(xs))
	for i := range xs {
		pts[i] = [2]float64{xs[i], ys[i]}
	}
	sort.Slice(pts, func(i, j int) bool {
		if pts[i][0] != pts[j][0] {
			return pts[i][0] < pts[j][0]
		}
		return pts[i][1] < pts[j][1]
	})
	if len(pts) < 3 {
		return pts
	}
	cross := func(o, a, b [2]float64) float64 {
		return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
	}
	h := make([][2]float64, 0, 2*len(pts))
	for _, p := range pts {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	lo := len(h) + 1
	for i := len(pts) - 2; i >= 0; i-- {
		p := pts[i]
		for len(h) >= lo && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	return h[:len(h)-1]
}

// nearHull reports whether (x, y) is inside the hull or within r of it.
// Most cells are inside, so that test runs first and alone.
func nearHull(h [][2]float64, x, y, r float64) bool {
	if len(h) == 0 {
		return false
	}
	if len(h) >= 3 {
		inside := true
		for i := range h {
			a, b := h[i], h[(i+1)%len(h)]
			if (b[0]-a[0])*(y-a[1])-(b[1]-a[1])*(x-a[0]) < 0 {
				inside = false
				break
			}
		}
		if inside {
			return true
		}
	}
	for i := range h {
		a, b := h[i], h[(i+1)%len(h)]
		ex, ey := b[0]-a[0], b[1]-a[1]
		l2 := ex*ex + ey*ey
		t := 0.0
		if l2 > 0 {
			t = min(max(((x-a[0])*ex+(y-a[1])*ey)/l2, 0), 1)
		}
		dx, dy := x-(a[0]+t*ex), y-(a[1]+t*ey)
		if dx*dx+dy*dy <= r*r {
			return true
		}
	}
	return false
}
