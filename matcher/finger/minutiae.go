package finger

import (
	"image"
	"image/color"
	"math"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// The eight neighbours in circular order, starting north.
var ring = [8][2]int{{0, -1}, {1, -1}, {1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}}

// minutia is a candidate in pixel coordinates (y down) with its direction
// in image radians.
type minutia struct {
	X, Y    int
	Dir     float64
	Kind    template.Kind
	Quality uint8
	drop    bool
}

// crossing returns the crossing number of a skeleton pixel: the number of
// ridge runs around it (1 ending, 2 ridge, 3+ bifurcation).
func crossing(s *binary, x, y int) int {
	n := 0
	for k := 0; k < 8; k++ {
		a := s.get(x+ring[k][0], y+ring[k][1])
		b := s.get(x+ring[(k+1)%8][0], y+ring[(k+1)%8][1])
		if a == 0 && b == 1 {
			n++
		}
	}
	return n
}

// branches lists the first pixel of each ridge run leaving (x, y).
func branches(s *binary, x, y int) [][2]int {
	var out [][2]int
	for k := 0; k < 8; k++ {
		p := ring[(k+7)%8]
		c := ring[k]
		if s.get(x+p[0], y+p[1]) == 0 && s.get(x+c[0], y+c[1]) == 1 {
			out = append(out, [2]int{x + c[0], y + c[1]})
		}
	}
	return out
}

// traceResult says where following a ridge from a minutia stopped.
type traceResult struct {
	X, Y  int
	Steps int
	CN    int // crossing number where it stopped; 2 if it ran its length
}

// trace follows the skeleton from (x0, y0) through its neighbour (x1, y1)
// for at most n steps, stopping at another ending or bifurcation.
func trace(s *binary, x0, y0, x1, y1, n int) traceResult {
	px, py, x, y := x0, y0, x1, y1
	ppx, ppy := x0, y0
	for step := 1; ; step++ {
		cn := crossing(s, x, y)
		if cn != 2 || step >= n {
			return traceResult{x, y, step, cn}
		}
		nx, ny, found := 0, 0, false
		// Prefer 4-neighbours so diagonal corners are not skipped twice.
		for _, k := range [8]int{0, 2, 4, 6, 1, 3, 5, 7} {
			xx, yy := x+ring[k][0], y+ring[k][1]
			if s.get(xx, yy) == 0 || (xx == px && yy == py) || (xx == ppx && yy == ppy) ||
				(abs(xx-px) <= 1 && abs(yy-py) <= 1) {
				continue
			}
			nx, ny, found = xx, yy, true
			break
		}
		if !found {
			return traceResult{x, y, step, 1}
		}
		ppx, ppy, px, py, x, y = px, py, x, y, nx, ny
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// traceLen is how far a ridge is followed to measure a minutia's direction.
const traceLen = 10

// detect finds ridge endings and bifurcations on the skeleton inside the
// mask and measures their direction: an ending points away from its ridge,
// a bifurcation towards its stem (the single branch), so that a ridge
// ending and the valley bifurcation it becomes under pressure agree.
func detect(s *binary, m *mask, f *orientField) []minutia {
	var out []minutia
	for y := 1; y < s.H-1; y++ {
		for x := 1; x < s.W-1; x++ {
			if s.Pix[y*s.W+x] == 0 || !m.pixel(x, y) {
				continue
			}
			cn := crossing(s, x, y)
			q := uint8(min(100, 100*f.Coherence[(y/blockSize)*f.BW+x/blockSize]*1.3))
			switch {
			case cn == 1:
				br := branches(s, x, y)
				if len(br) != 1 {
					continue
				}
				t := trace(s, x, y, br[0][0], br[0][1], traceLen)
				out = append(out, minutia{X: x, Y: y, Kind: template.Ending, Quality: q,
					Dir: math.Atan2(float64(y-t.Y), float64(x-t.X))})
			case cn == 3:
				br := branches(s, x, y)
				if len(br) != 3 {
					continue
				}
				var ang [3]float64
				for i, b := range br {
					t := trace(s, x, y, b[0], b[1], traceLen)
					ang[i] = math.Atan2(float64(t.Y-y), float64(t.X-x))
				}
				// The stem is the branch farthest in angle from the other two.
				stem, best := 0, -1.0
				for i := 0; i < 3; i++ {
					d := angDiff(ang[i], ang[(i+1)%3]) + angDiff(ang[i], ang[(i+2)%3])
					if d > best {
						stem, best = i, d
					}
				}
				out = append(out, minutia{X: x, Y: y, Kind: template.Bifurcation, Quality: q, Dir: ang[stem]})
			}
		}
	}
	return out
}

// angDiff is the absolute difference of two angles, in [0, π].
func angDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 2*math.Pi)
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d
}

// drawMinutiae marks minutiae over the skeleton: endings grey, bifurcations black.
func drawMinutiae(s *binary, ms []minutia) *image.Gray {
	g := s.toGray()
	for i := range g.Pix {
		if g.Pix[i] == 0 {
			g.Pix[i] = 200
		}
	}
	for _, m := range ms {
		c := color.Gray{0}
		if m.Kind == template.Ending {
			c = color.Gray{100}
		}
		for d := -2; d <= 2; d++ {
			g.SetGray(m.X+d, m.Y-2, c)
			g.SetGray(m.X+d, m.Y+2, c)
			g.SetGray(m.X-2, m.Y+d, c)
			g.SetGray(m.X+2, m.Y+d, c)
		}
		for r := 3.0; r < 10; r++ {
			g.SetGray(m.X+int(r*math.Cos(m.Dir)), m.Y+int(r*math.Sin(m.Dir)), c)
		}
	}
	return g
}
