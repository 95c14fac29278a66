package finger

import (
	"math"
	"sort"
)

// naiveCompare is the benchmark baseline: the bit-MCC score computed cell
// by cell on unpacked bools, collecting all pair similarities in a slice
// and sorting them, the way a first implementation would.
func naiveCompare(a, b *Prepared) float64 {
	unpack := func(c *cylinder) (valid []bool, v [][]bool) {
		valid = make([]bool, 64)
		v = make([][]bool, cylNd)
		for i := range valid {
			valid[i] = c.Valid>>i&1 == 1
		}
		for k := range v {
			v[k] = make([]bool, 64)
			for i := range v[k] {
				v[k][i] = c.Bits[k]>>i&1 == 1
			}
		}
		return
	}
	var sims []float64
	ac, bc := a.cylinders(), b.cylinders()
	for i := range ac {
		va, xa := unpack(&ac[i])
		for j := range bc {
			d := math.Abs(float64(ac[i].Dir - bc[j].Dir))
			if d > math.Pi {
				d = 2*math.Pi - d
			}
			if d > math.Pi/2 {
				continue
			}
			vb, xb := unpack(&bc[j])
			var nc, nu, na, nb, nx float64
			for c := 0; c < 64; c++ {
				if va[c] || vb[c] {
					nu++
				}
				if !(va[c] && vb[c]) {
					continue
				}
				nc++
				for k := 0; k < cylNd; k++ {
					if xa[k][c] {
						na++
					}
					if xb[k][c] {
						nb++
					}
					if xa[k][c] != xb[k][c] {
						nx++
					}
				}
			}
			s := 0.0
			if nc >= minCommon*nu && na+nb > 0 {
				s = 1 - math.Sqrt(nx)/(math.Sqrt(na)+math.Sqrt(nb))
			}
			sims = append(sims, s)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(sims)))
	np := numPairs(a.Len(), b.Len())
	var sum float64
	for i := 0; i < np && i < len(sims); i++ {
		sum += sims[i]
	}
	return sum / float64(np)
}
