package finger

import (
	"math"
	"slices"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// Consolidation: relaxation scores how well a few dozen candidate pairs
// agree with each other, not how much of the two fingers agrees. After
// it, B's minutiae (all of them, not only the 64 kept cylinders') are
// laid onto A's by a rigid transform taken from the best relaxed pairs,
// paired one to one within tolerances, and the score is scaled by how
// many of the minutiae of the common area found a mate:
//
//	score = relaxation · (α + (1−α)·min(m² / (nA′·nB′), 1))
//
// with m the pairs (type mismatches counting half) and nA′, nB′ the
// minutiae of each finger inside the other's area (hull of its minutiae
// grown by consMargin, within its image), at least consMinO. Impostors
// whose relaxed pairs happen to agree pair few of their other minutiae;
// genuine pairs most. Measured on the ten FVC image sets (README,
// "Consolidation work"): mean FVC EER 4.59 → 4.22%, extended 6.00 → 5.69%.
const (
	consTol    = 20          // pixels between paired minutiae
	consAng    = math.Pi / 6 // radians between their directions
	consMargin = 10          // pixels beyond a finger's hull still counted in its area
	consMinO   = 8           // floor of the area counts (tiny overlaps)
	consAlpha  = 0.5         // factor kept when nothing pairs
	consKindW  = 0.5         // weight of a pair whose ending/bifurcation types differ
	consAligns = 3           // single-pair alignments tried besides the fitted one
	consCell   = 2 * consTol // grid cell of the pairing search (at least)
	gridMax    = 64          // most grid cells a side
	// A single-pair alignment within about 6° (sine dupSin) and, at B's
	// first selected minutia, dupPix of one already tried is not tried:
	// it would pair nearly the same minutiae. Saves about a third of the
	// pairings at no measured accuracy cost (README, "Consolidation work").
	dupSin = 0.1
	dupPix = 8
	// consFloor is the relaxation score under which consolidation is
	// skipped (factor consAlpha, as if nothing paired): such pairs end
	// under 0.0075, far under any set's threshold, and they are 42% of
	// the FVC comparisons, nearly all impostors; FVC EERs unchanged.
	consFloor = 0.015
)

// consCos is the cosine of consAng.
var consCos = float32(math.Cos(consAng))

// minPos is one minutia as the consolidation reads it.
type minPos struct {
	X, Y   float32
	CX, CY float32 // cosine and sine of its direction
	Kind   uint8
}

// edgeLine is one edge of a convex hull as a half-plane: (x, y) is on
// the inner side when NX·x + NY·y + C ≥ 0 (N a unit vector).
type edgeLine struct{ NX, NY, C float32 }

// maxConsMin is the most minutiae of a template the consolidation reads.
const maxConsMin = 256

var _ [256 - maxConsMin]struct{} // consPairs keeps indices in bytes

// consMinutiae lists t's minutiae for consolidation, the cylinders' cs
// first in their order (each takes the first unused minutia at its
// position and direction, and its type), then the others.
func consMinutiae(t *template.Template, cs []cylinder) []minPos {
	used := make([]bool, len(t.Minutiae))
	dirs := make([]float32, len(t.Minutiae))
	for i, m := range t.Minutiae {
		dirs[i] = float32(math.Mod(-m.Angle+4*math.Pi, 2*math.Pi)) // as cylinders
	}
	out := make([]minPos, 0, len(t.Minutiae))
	for _, c := range cs {
		mp := newMinPos(c.X, c.Y, c.Dir, 0)
		for i, m := range t.Minutiae {
			if !used[i] && float32(m.X) == c.X && float32(m.Y) == c.Y && dirs[i] == c.Dir {
				used[i], mp.Kind = true, uint8(m.Kind)
				break
			}
		}
		out = append(out, mp)
	}
	for i, m := range t.Minutiae {
		if !used[i] {
			out = append(out, newMinPos(float32(m.X), float32(m.Y), dirs[i], uint8(m.Kind)))
		}
	}
	return out
}

func newMinPos(x, y, dir float32, kind uint8) minPos {
	s, c := math.Sincos(float64(dir))
	return minPos{x, y, float32(c), float32(s), kind}
}

// setConsMinutiae stores ms (the ncyl cylinders' minutiae first, in their
// order) for consolidation, cell by cell of a grid so the pairing search
// reads them in place; w × h is the image (0 when unknown).
func (p *Prepared) setConsMinutiae(ms []minPos, ncyl int, w, h float32) {
	if len(ms) > maxConsMin {
		ms = ms[:maxConsMin]
		ncyl = min(ncyl, maxConsMin)
	}
	p.w, p.h = w, h
	// The grid: cells of at least 2·consTol, so a point's neighbours
	// within consTol lie in the 2×2 cells nearest it, from the minutiae's
	// least X and Y, and at most gridMax cells a side (a template whose
	// minutiae spread over more, which no sensor gives, gets wider cells
	// rather than a huge grid).
	p.gx0, p.gy0, p.cell = 0, 0, consCell
	var spanX, spanY float32
	if len(ms) > 0 {
		p.gx0, p.gy0 = ms[0].X, ms[0].Y
		x1, y1 := p.gx0, p.gy0
		for _, m := range ms {
			p.gx0, p.gy0 = min(p.gx0, m.X), min(p.gy0, m.Y)
			x1, y1 = max(x1, m.X), max(y1, m.Y)
		}
		spanX, spanY = x1-p.gx0, y1-p.gy0
	}
	p.cell = max(consCell, max(spanX, spanY)/(gridMax-1))
	p.gw, p.gh = int(spanX/p.cell)+1, int(spanY/p.cell)+1
	cell := func(m minPos) int {
		return int((m.Y-p.gy0)/p.cell)*p.gw + int((m.X-p.gx0)/p.cell)
	}
	p.cellStart = make([]uint16, p.gw*p.gh+1)
	for _, m := range ms {
		p.cellStart[cell(m)+1]++
	}
	for c := 1; c < len(p.cellStart); c++ {
		p.cellStart[c] += p.cellStart[c-1]
	}
	p.rows = make([]int32, p.gh+1)
	for r := range p.rows {
		p.rows[r] = int32(p.cellStart[r*p.gw])
	}
	p.mins = make([]minPos, len(ms))
	p.cylMin = make([]uint16, ncyl)
	fill := slices.Clone(p.cellStart[:len(p.cellStart)-1])
	for i, m := range ms {
		c := cell(m)
		p.mins[fill[c]] = m
		if i < ncyl {
			p.cylMin[i] = fill[c]
		}
		fill[c]++
	}
	xs, ys := make([]float64, len(ms)), make([]float64, len(ms))
	for i, m := range ms {
		xs[i], ys[i] = float64(m.X), float64(m.Y)
	}
	p.hull = nil
	if h := convexHull(xs, ys); len(h) >= 3 {
		for i := range h {
			a, b := h[i], h[(i+1)%len(h)]
			ex, ey := b[0]-a[0], b[1]-a[1]
			l := math.Hypot(ex, ey)
			if l == 0 {
				continue
			}
			// Inside: (b−a) × (q−a) ≥ 0, as in nearHull.
			nx, ny := -ey/l, ex/l
			p.hull = append(p.hull, edgeLine{float32(nx), float32(ny), float32(-(nx*a[0] + ny*a[1]))})
		}
	}
}

// inArea reports whether (x, y), in p's frame, lies in p's finger area:
// inside its image and within consMargin of its minutiae's hull (the
// hull's edges moved out by the margin; fewer than three minutiae leave
// only the image).
func (p *Prepared) inArea(x, y float32) bool {
	if p.w > 0 && (x < 0 || y < 0 || x >= p.w || y >= p.h) {
		return false
	}
	for _, e := range p.hull {
		if e.NX*x+e.NY*y+e.C < -consMargin {
			return false
		}
	}
	return true
}

// rigid maps B's frame onto A's: (x, y) → (c·x − s·y + tx, s·x + c·y + ty).
type rigid struct{ c, s, tx, ty float32 }

// consolidate returns the factor consolidation puts on the relaxation
// score base: ps are the candidate pairs, lam their relaxed weights and
// sel the pairs the score averages, best first. The transforms tried are
// a fit over sel and each of the first consAligns pairs of sel alone;
// the one pairing the most minutiae is kept.
func (sc *scratch) consolidate(a, b *Prepared, ps []pair, lam []float32, sel []int, base float64) float32 {
	if base < consFloor || len(sel) == 0 || len(a.mins) == 0 || len(b.mins) == 0 || len(a.cylMin) == 0 || len(b.cylMin) == 0 {
		return consAlpha
	}
	if consKernel != nil {
		sc.consLoadA(a)
	}
	best := fitRigid(a, b, ps, lam, sel)
	m := sc.consPairs(a, b, best)
	var tried [consAligns + 1]rigid
	tried[0] = best
	nt := 1
	ref := &b.mins[b.cylMin[ps[sel[0]].b]]
next:
	for _, i := range sel[:min(consAligns, len(sel))] {
		t := pairRigid(&a.mins[a.cylMin[ps[i].a]], &b.mins[b.cylMin[ps[i].b]])
		// A transform close to one already tried (rotation sine under
		// dupSin, and at ref within dupPix) pairs the same minutiae but
		// for borderline ones: skip it.
		for _, u := range tried[:nt] {
			if abs32(t.s*u.c-t.c*u.s) < dupSin && t.c*u.c+t.s*u.s > 0 &&
				abs32((t.c-u.c)*ref.X-(t.s-u.s)*ref.Y+t.tx-u.tx) < dupPix &&
				abs32((t.s-u.s)*ref.X+(t.c-u.c)*ref.Y+t.ty-u.ty) < dupPix {
				continue next
			}
		}
		tried[nt] = t
		nt++
		if mt := sc.consPairs(a, b, t); mt > m {
			best, m = t, mt
		}
	}
	// The minutiae of each finger in the other's area.
	xs, ys := &sc.areaX, &sc.areaY
	for i := range a.mins {
		ma := &a.mins[i]
		x, y := ma.X-best.tx, ma.Y-best.ty
		xs[i], ys[i] = best.c*x+best.s*y, -best.s*x+best.c*y
	}
	nao := float32(b.countInArea(xs, ys, len(a.mins)))
	for j := range b.mins {
		mb := &b.mins[j]
		xs[j], ys[j] = best.c*mb.X-best.s*mb.Y+best.tx, best.s*mb.X+best.c*mb.Y+best.ty
	}
	nbo := float32(a.countInArea(xs, ys, len(b.mins)))
	g := min(m*m/(max(nao, consMinO)*max(nbo, consMinO)), 1)
	return consAlpha + (1-consAlpha)*g
}

// pairRigid is the transform that lays mb on ma.
func pairRigid(ma, mb *minPos) rigid {
	// cos and sin of the direction difference, from those of the two.
	c, s := ma.CX*mb.CX+ma.CY*mb.CY, ma.CY*mb.CX-ma.CX*mb.CY
	return rigid{c, s, ma.X - (c*mb.X - s*mb.Y), ma.Y - (s*mb.X + c*mb.Y)}
}

// fitRigid estimates the transform from the pairs sel, weighted by lam:
// the rotation is the mean of their direction differences (a least-squares
// fit of positions is unstable over a few close pairs), the translation
// lays B's weighted centroid on A's.
func fitRigid(a, b *Prepared, ps []pair, lam []float32, sel []int) rigid {
	var sx, sy, w, cax, cay, cbx, cby float32
	for _, i := range sel {
		ma, mb := &a.mins[a.cylMin[ps[i].a]], &b.mins[b.cylMin[ps[i].b]]
		wi := lam[i]
		sx += wi * (ma.CX*mb.CX + ma.CY*mb.CY)
		sy += wi * (ma.CY*mb.CX - ma.CX*mb.CY)
		w += wi
		cax += wi * ma.X
		cay += wi * ma.Y
		cbx += wi * mb.X
		cby += wi * mb.Y
	}
	r := float32(math.Sqrt(float64(sx*sx + sy*sy)))
	if w <= 0 || r == 0 {
		return pairRigid(&a.mins[a.cylMin[ps[sel[0]].a]], &b.mins[b.cylMin[ps[sel[0]].b]])
	}
	c, s := sx/r, sy/r
	cax, cay, cbx, cby = cax/w, cay/w, cbx/w, cby/w
	return rigid{c, s, cax - (c*cbx - s*cby), cay - (s*cbx + c*cby)}
}

// consPairs lays B's minutiae onto A's with t and pairs them one to one,
// nearest first (ties in index order), within consTol and consAng; it
// returns the pairs, those of different types weighing consKindW.
func (sc *scratch) consPairs(a, b *Prepared, t rigid) float32 {
	cands, ok := sc.consCandsKernel(a, b, t)
	if !ok {
		cands = sc.consCandsGrid(a, b, t)
	}
	sortKeys(cands)
	// Branch-free: whether a pair is taken is as unpredictable as a coin.
	// Adding 0 for a pair not taken leaves m as it was. Indices are below
	// maxConsMin, so they fit a byte.
	var ua, ub [maxConsMin / 64]uint64
	var m float32
	for _, c := range cands {
		i, j := uint8(c>>16), uint8(c)
		free := ^(ua[i/64]>>(i%64) | ub[j/64]>>(j%64)) & 1
		ua[i/64] |= free << (i % 64)
		ub[j/64] |= free << (j % 64)
		w := float32(1)
		if ka, kb := a.mins[i].Kind, b.mins[j].Kind; ka != 0 && kb != 0 && ka != kb {
			w = consKindW
		}
		m += float32(free) * w
	}
	return m
}

// consCandsGrid returns the candidate pairs of consPairs, sort keys of
// distance², A's index and B's, searched cell by cell of A's grid.
func (sc *scratch) consCandsGrid(a, b *Prepared, t rigid) []uint64 {
	const tol2 = consTol * consTol
	// Candidates sort as integers: distance² (a non-negative float32
	// orders as its bits), then A's index, then B's.
	cands := sc.cands[:0:consCap]
	for j := range b.mins {
		mb := &b.mins[j]
		x := t.c*mb.X - t.s*mb.Y + t.tx
		y := t.s*mb.X + t.c*mb.Y + t.ty
		// B's direction turned by t, against consAng by its cosine.
		dx, dy := t.c*mb.CX-t.s*mb.CY, t.s*mb.CX+t.c*mb.CY
		area := 0 // B's minutia in A's area: 0 not known yet, 1 yes, -1 no
		// The cell holding (x, y) and the neighbour on the nearer side,
		// each way (cells are at least 2·consTol wide).
		gx, gy := max(x-a.gx0, 0), max(y-a.gy0, 0)
		cx, cy := int(gx/a.cell), int(gy/a.cell)
		if gx-float32(cx)*a.cell < a.cell/2 {
			cx--
		}
		if gy-float32(cy)*a.cell < a.cell/2 {
			cy--
		}
	cells:
		for gy := max(cy, 0); gy <= min(cy+1, a.gh-1); gy++ {
			for gx := max(cx, 0); gx <= min(cx+1, a.gw-1); gx++ {
				c := gy*a.gw + gx
				for i := a.cellStart[c]; i < a.cellStart[c+1]; i++ {
					ma := &a.mins[i]
					ex, ey := ma.X-x, ma.Y-y
					d2 := ex*ex + ey*ey
					if d2 > tol2 || ma.CX*dx+ma.CY*dy < consCos {
						continue
					}
					// Only minutiae inside the common area pair, as only
					// they are counted (tested once a candidate turns up).
					if area == 0 {
						area = -1
						if a.inArea(x, y) {
							area = 1
						}
					}
					if area < 0 {
						break cells
					}
					if len(cands) < cap(cands) {
						cands = append(cands, uint64(math.Float32bits(d2))<<32|uint64(i)<<16|uint64(j))
					}
				}
			}
		}
	}
	return cands
}

// sortKeys sorts v ascending: by sortKernel where the CPU has it and v
// fits, else by insertion for the few dozen candidate pairs of a typical
// pairing (faster there than slices.Sort), else slices.Sort. Keys are distinct, so either gives the same order.
func sortKeys(v []uint64) {
	if sortKernel != nil && len(v) <= maxSortKernel {
		sortKernel(v, 0)
		return
	}
	if len(v) > 64 {
		slices.Sort(v)
		return
	}
	for a := 1; a < len(v); a++ {
		x, b := v[a], a
		for ; b > 0 && v[b-1] > x; b-- {
			v[b] = v[b-1]
		}
		v[b] = x
	}
}
