package finger

import "math"

// Lengths (pixels at 500 ppi) below which ridge structures are noise.
const (
	shortRidge = 14 // an ending that reaches another ending: a dot or short ridge
	spurLen    = 10 // an ending that reaches a bifurcation: a spur
	bridgeLen  = 10 // a bifurcation that reaches another: a bridge or a hole
	gapLen     = 14 // two endings facing each other: a broken ridge
	clusterLen = 6  // minutiae this close are a knot of noise
)

// filterRidges removes the classic false minutiae by following ridges on
// the skeleton: short ridges, spurs, bridges and holes.
func filterRidges(ms []minutia, s *binary) {
	at := make(map[[2]int]int, len(ms))
	for i, m := range ms {
		at[[2]int{m.X, m.Y}] = i
	}
	mark := func(x, y int) {
		if j, ok := at[[2]int{x, y}]; ok {
			ms[j].drop = true
		}
	}
	for i := range ms {
		m := &ms[i]
		for _, b := range branches(s, m.X, m.Y) {
			lim := bridgeLen
			if m.Kind == 1 {
				lim = shortRidge
			}
			t := trace(s, m.X, m.Y, b[0], b[1], lim)
			switch {
			case t.CN == 1 && m.Kind == 1 && t.Steps < shortRidge: // short ridge or dot
				m.drop = true
				mark(t.X, t.Y)
			case t.CN >= 3 && m.Kind == 1 && t.Steps < spurLen: // spur
				m.drop = true
				mark(t.X, t.Y)
			case t.CN >= 3 && m.Kind == 2 && t.Steps < bridgeLen: // bridge or hole
				m.drop = true
				mark(t.X, t.Y)
			}
		}
	}
}

// filterGaps removes pairs of endings that face each other across a small
// gap (a ridge broken by a crease or dryness), and clusters of minutiae.
func filterGaps(ms []minutia) {
	for i := range ms {
		for j := i + 1; j < len(ms); j++ {
			a, b := &ms[i], &ms[j]
			dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
			d := math.Hypot(dx, dy)
			if d < clusterLen {
				a.drop, b.drop = true, true
				continue
			}
			if a.Kind != 1 || b.Kind != 1 || d > gapLen {
				continue
			}
			// Facing: opposite directions, each pointing at the other.
			toB := math.Atan2(dy, dx)
			if angDiff(a.Dir, b.Dir) > 2.4 && angDiff(a.Dir, toB) < 0.8 && angDiff(b.Dir, toB+math.Pi) < 0.8 {
				a.drop, b.drop = true, true
			}
		}
	}
}

func keep(ms []minutia) []minutia {
	out := ms[:0]
	for _, m := range ms {
		if !m.drop {
			out = append(out, m)
		}
	}
	return out
}
