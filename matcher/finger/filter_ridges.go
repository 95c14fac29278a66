package finger

import "math"

// ridgeLimits are the lengths (pixels at 500 ppi) below which ridge
// structures are noise.
type ridgeLimits struct {
	short   int // an ending that reaches another ending: a dot or short ridge
	spur    int // an ending that reaches a bifurcation: a spur
	bridge  int // a bifurcation that reaches another: a bridge or a hole
	gap     int // two endings facing each other: a broken ridge
	cluster int // minutiae this close are a knot of noise
	hole    int // a bifurcation whose two branches meet again: a hole
}

// plainLimits serve skeletons of binary images as binarize leaves them;
// votedLimits those smoothBinary voted: with the specks and pores gone,
// shorter spurs and bridges are real ridge structure (README, "Binary
// smoothing work"). Both are fixed: templates stay deterministic.
var (
	plainLimits = ridgeLimits{short: 14, spur: 10, bridge: 10, gap: 14, cluster: 6, hole: 25}
	votedLimits = ridgeLimits{short: 14, spur: 8, bridge: 8, gap: 14, cluster: 6, hole: 25}
)

// filterRidges removes the classic false minutiae by following ridges on
// the skeleton: short ridges, spurs, bridges and holes.
func filterRidges(ms []minutia, s *binary, lim ridgeLimits) {
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
		br := branches(s, m.X, m.Y)
		for _, b := range br {
			n := lim.bridge
			if m.Kind == 1 {
				n = lim.short
			}
			t := trace(s, m.X, m.Y, b[0], b[1], n)
			switch {
			case t.CN == 1 && m.Kind == 1 && t.Steps < lim.short: // short ridge or dot
				m.drop = true
				mark(t.X, t.Y)
			case t.CN >= 3 && m.Kind == 1 && t.Steps < lim.spur: // spur
				m.drop = true
				mark(t.X, t.Y)
			case t.CN >= 3 && m.Kind == 2 && t.Steps < lim.bridge: // bridge or hole
				m.drop = true
				mark(t.X, t.Y)
			}
		}
		if m.Kind == 2 {
			filterHole(ms, i, br, s, lim.hole, mark)
		}
	}
}

// filterHole drops bifurcation i and the one it meets when two of its
// branches (br, on the skeleton s) run into the same bifurcation within
// holeLen: a pore or a light spot splitting a ridge, often longer than
// the bridge limit on low-cost sensors, not two forks.
func filterHole(ms []minutia, i int, br [][2]int, s *binary, holeLen int, mark func(x, y int)) {
	m := &ms[i]
	if len(br) != 3 {
		return
	}
	var ends [3]traceResult
	for k, b := range br {
		ends[k] = trace(s, m.X, m.Y, b[0], b[1], holeLen)
	}
	for k := 0; k < 3; k++ {
		a, b := ends[k], ends[(k+1)%3]
		if a.CN >= 3 && b.CN >= 3 && abs(a.X-b.X) <= 3 && abs(a.Y-b.Y) <= 3 {
			m.drop = true
			mark(a.X, a.Y)
			mark(b.X, b.Y)
			return
		}
	}
}

// filterGaps removes pairs of endings that face each other across a small
// gap (a ridge broken by a crease or dryness), and clusters of minutiae.
func filterGaps(ms []minutia, lim ridgeLimits) {
	for i := range ms {
		for j := i + 1; j < len(ms); j++ {
			a, b := &ms[i], &ms[j]
			dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
			d := math.Hypot(dx, dy)
			if d < float64(lim.cluster) {
				a.drop, b.drop = true, true
				continue
			}
			if a.Kind != 1 || b.Kind != 1 || d > float64(lim.gap) {
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
