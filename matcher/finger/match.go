package finger

import (
	"math"
	"math/bits"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// Prepared is a template turned into the fixed-size cylinder descriptors
// the matcher compares; prepare once, compare many times.
type Prepared struct {
	cyl []cylinder
}

// Prepare builds the matcher's descriptors of t. Templates at another
// resolution are scaled to 500 ppi first.
func Prepare(t *template.Template) *Prepared {
	if t.PPI > 0 && math.Abs(float64(t.PPI)-500) > 10 {
		s := 500 / float64(t.PPI)
		c := *t
		c.Minutiae = make([]template.Minutia, len(t.Minutiae))
		for i, m := range t.Minutiae {
			m.X, m.Y = int(math.Round(float64(m.X)*s)), int(math.Round(float64(m.Y)*s))
			c.Minutiae[i] = m
		}
		t = &c
	}
	return &Prepared{cyl: cylinders(t)}
}

// Len is the number of usable minutiae descriptors.
func (p *Prepared) Len() int { return len(p.cyl) }

// sqrtTab holds √n for popcounts up to a full cylinder.
var sqrtTab = func() (t [cylNd*64 + 1]float32) {
	for i := range t {
		t[i] = float32(math.Sqrt(float64(i)))
	}
	return t
}()

// Global-score parameters (MCC's LSS): the score is the mean of the nP best
// local similarities, nP growing with the smaller template.
const (
	minNP = 4
	maxNP = 12
)

func numPairs(na, nb int) int {
	n := float64(min(na, nb))
	z := 1 / (1 + math.Exp(-0.4*(n-20)))
	return minNP + int(math.Round(z*(maxNP-minNP)))
}

// localSim is the bit-MCC similarity of two cylinders, 0 when they share
// too few valid cells or point in incompatible directions.
func localSim(a, b *cylinder) float32 {
	common := a.Valid & b.Valid
	nc := bits.OnesCount64(common)
	if float32(nc) < minCommon*float32(bits.OnesCount64(a.Valid|b.Valid)) {
		return 0
	}
	var na, nb, nx int
	for k := 0; k < cylNd; k++ {
		x, y := a.Bits[k]&common, b.Bits[k]&common
		na += bits.OnesCount64(x)
		nb += bits.OnesCount64(y)
		nx += bits.OnesCount64(x ^ y)
	}
	den := sqrtTab[na] + sqrtTab[nb]
	if den == 0 {
		return 0
	}
	return 1 - sqrtTab[nx]/den
}

// Compare returns the similarity of two prepared templates in [0, 1].
// It allocates nothing, so it can run in tight 1:N loops.
func Compare(a, b *Prepared) float64 {
	na, nb := len(a.cyl), len(b.cyl)
	if na == 0 || nb == 0 {
		return 0
	}
	np := numPairs(na, nb)
	var top [maxNP]float32
	k := 0 // entries used in top, kept in descending order
	for i := range a.cyl {
		ca := &a.cyl[i]
		for j := range b.cyl {
			cb := &b.cyl[j]
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
			if k == np && s <= top[np-1] {
				continue
			}
			p := k
			if k < np {
				k++
			} else {
				p = np - 1
			}
			for p > 0 && top[p-1] < s {
				top[p] = top[p-1]
				p--
			}
			top[p] = s
		}
	}
	var sum float32
	for _, v := range top[:k] {
		sum += v
	}
	return float64(sum) / float64(np)
}
