package finger

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"testing"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// refCompare is Compare as it was before the direction-sorted scan and
// the sparse relaxation: the optimised path must return exactly its
// scores, so those changes cannot move any EER.
func refCompare(a, b *Prepared) float64 {
	na, nb := a.Len(), b.Len()
	if na == 0 || nb == 0 {
		return 0
	}
	np := numPairs(na, nb)
	nr := min(max(np, min(na, nb)), maxRelax)
	var top [maxRelax]pair
	k := refTopPairs(a, b, top[:nr])
	if k < 2 {
		return 0
	}
	return refRelax(a, b, top[:k], np)
}

func refTopPairs(a, b *Prepared, top []pair) int {
	n := len(top)
	k := 0
	ac, bc := a.cylinders(), b.cylinders()
	for i := range ac {
		ca := &ac[i]
		for j := range bc {
			cb := &bc[j]
			// MCC pairs only minutiae whose directions differ by under π/2.
			d := ca.Dir - cb.Dir
			if d < 0 {
				d = -d
			}
			if d > math.Pi {
				d = 2*math.Pi - d
			}
			if d > math.Pi/2 {
				continue
			}
			s := localSim(ca, cb)
			if s <= 0 || (k == n && s <= top[n-1].sim) {
				continue
			}
			p := k
			if k < n {
				k++
			} else {
				p = n - 1
			}
			for p > 0 && top[p-1].sim < s {
				top[p] = top[p-1]
				p--
			}
			top[p] = pair{uint16(i), uint16(j), s}
		}
	}
	return k
}

func refRelax(a, b *Prepared, ps []pair, np int) float64 {
	n := len(ps)
	var rho [maxRelax][maxRelax]float32
	ac, bc := a.cylinders(), b.cylinders()
	for i := 0; i < n; i++ {
		a1, b1 := &ac[ps[i].a], &bc[ps[i].b]
		for j := i + 1; j < n; j++ {
			a2, b2 := &ac[ps[j].a], &bc[ps[j].b]
			if ps[i].a == ps[j].a || ps[i].b == ps[j].b {
				continue // one minutia cannot match two
			}
			dxa, dya := a2.X-a1.X, a2.Y-a1.Y
			dxb, dyb := b2.X-b1.X, b2.Y-b1.Y
			da := float32(math.Sqrt(float64(dxa*dxa + dya*dya)))
			db := float32(math.Sqrt(float64(dxb*dxb + dyb*dyb)))
			d1 := distCompat(abs32(da-db) / (1 + (da+db)*distStretch))
			if d1 == 0 {
				continue
			}
			d2 := angleCompat(angleDiff32(wrap32(a1.Dir-a2.Dir), wrap32(b1.Dir-b2.Dir)))
			ra, rb := atan2f(dya, dxa), atan2f(dyb, dxb)
			d3 := angleCompat(angleDiff32(wrap32(a1.Dir-ra), wrap32(b1.Dir-rb)))
			r := d1 * d2 * d3
			rho[i][j], rho[j][i] = r, r
		}
	}
	var lam, next [maxRelax]float32
	for i := range ps {
		lam[i] = ps[i].sim
	}
	for it := 0; it < relaxIters; it++ {
		for i := 0; i < n; i++ {
			var s float32
			for j := 0; j < n; j++ {
				s += rho[i][j] * lam[j]
			}
			next[i] = relaxW*lam[i] + (1-relaxW)*s/float32(n-1)
		}
		lam = next
	}
	// Keep the np pairs whose similarity survived relaxation best.
	var eff [maxRelax]float32
	var idx [maxRelax]int
	for i := 0; i < n; i++ {
		eff[i] = lam[i] / ps[i].sim
		idx[i] = i
		for p := i; p > 0 && eff[idx[p-1]] < eff[idx[p]]; p-- {
			idx[p], idx[p-1] = idx[p-1], idx[p]
		}
	}
	var sum float32
	for _, i := range idx[:min(np, n)] {
		sum += lam[i]
	}
	// The consolidation is shared code, run on the same pairs.
	sc := new(scratch)
	base := float64(sum) / float64(np)
	return base * float64(sc.consolidate(a, b, ps, lam[:n], idx[:min(np, n)], base))
}

// TestCompareMatchesReference checks the optimised Compare and QuickScore
// against the reference on real templates, all pairs, both orders.
func TestCompareMatchesReference(t *testing.T) {
	ps := realTemplates(t, "FVC2002_DB1_B", 16)
	for i, a := range ps {
		for j, b := range ps {
			if got, want := Compare(a, b), refCompare(a, b); got != want {
				t.Fatalf("Compare(%d, %d) = %v, reference %v", i, j, got, want)
			}
			plain := &Prepared{pos: b.pos, blk: b.blk, slot: b.slot} // no direction order
			if got, want := QuickScore(a, b), QuickScore(a, plain); got != want {
				t.Fatalf("QuickScore(%d, %d) = %v, plain scan %v", i, j, got, want)
			}
		}
	}
}

// realTemplates prepares up to n impressions of an FVC set (two per finger).
func realTemplates(t testing.TB, set string, n int) []*Prepared {
	t.Helper()
	var out []*Prepared
	for f := 101; f <= 110 && len(out) < n; f++ {
		for i := 1; i <= 2 && len(out) < n; i++ {
			tpl, _, err := Extract(load(t, set, fmt.Sprintf("%d_%d.tif", f, i)), nil)
			if err == nil {
				out = append(out, Prepare(tpl))
			}
		}
	}
	return out
}

// refCylinders is cylinders as it was, working out every neighbour's
// directional term per cell; the faster one must build the same bits.
func refCylinders(t *template.Template) []cylinder {
	ms := t.Minutiae
	n := len(ms)
	xs, ys, ds := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, m := range ms {
		xs[i], ys[i], ds[i] = float64(m.X), float64(m.Y), -m.Angle
	}
	hull := convexHull(xs, ys)
	out := make([]cylinder, 0, n)
	for i := 0; i < n; i++ {
		c := cylinder{X: float32(xs[i]), Y: float32(ys[i]), Dir: float32(math.Mod(ds[i]+4*math.Pi, 2*math.Pi))}
		co, si := math.Cos(ds[i]), math.Sin(ds[i])
		for _, cell := range cylCells {
			px := xs[i] + cell.dx*co - cell.dy*si
			py := ys[i] + cell.dx*si + cell.dy*co
			if !nearHull(hull, px, py, cylOmega) || !inImage(t, px, py) {
				continue
			}
			c.Valid |= 1 << cell.bit
			var contrib [cylNd]float64
			for j := 0; j < n; j++ {
				if j == i {
					continue
				}
				ddx, ddy := xs[j]-px, ys[j]-py
				d2 := ddx*ddx + ddy*ddy
				if d2 > 9*cylSigmaS*cylSigmaS {
					continue
				}
				// MCC's normalised spatial Gaussian times the probability mass of
				// the directional Gaussian falling in each direction bin.
				cs := math.Exp(-d2/(2*cylSigmaS*cylSigmaS)) / (cylSigmaS * math.Sqrt(2*math.Pi))
				dphi := wrapPi(ds[j] - ds[i])
				const half = math.Pi / cylNd
				for k := 0; k < cylNd; k++ {
					phik := -math.Pi + (float64(k)+0.5)*2*math.Pi/cylNd
					a := wrapPi(dphi - phik)
					cd := 0.5 * (math.Erf((a+half)/(cylSigmaD*math.Sqrt2)) - math.Erf((a-half)/(cylSigmaD*math.Sqrt2)))
					contrib[k] += cs * cd
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

func TestCylindersMatchReference(t *testing.T) {
	for _, set := range []string{"FVC2002_DB1_B", "FVC2000_DB3_B"} {
		for f := 101; f <= 104; f++ {
			tpl, _, err := Extract(load(t, set, fmt.Sprintf("%d_1.tif", f)), nil)
			if err != nil {
				continue
			}
			if got, want := cylinders(tpl), refCylinders(tpl); !slices.Equal(got, want) {
				t.Fatalf("%s %d: cylinders differ from the reference", set, f)
			}
		}
	}
}
