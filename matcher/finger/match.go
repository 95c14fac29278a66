package finger

import (
	"math"
	"math/bits"
	"sort"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// Prepared is a template turned into the fixed-size cylinder descriptors
// the matcher compares; prepare once, compare many times.
//
// Each cylinder is stored once: its minutia in pos, its bits in blk,
// eight cylinders to a block, the layout the kernels read (about 5 KB
// for a template of 64 cylinders).
type Prepared struct {
	pos []cylPos
	blk []cylBlock
	// dirs holds the cylinders' directions ascending and byDir their
	// indices in that order: the cylinders within π/2 of a direction are
	// then one circular run, scanned without a data-dependent branch per
	// pair (half of all pairs fail the direction test, unpredictably).
	dirs  []float32
	byDir []uint16
	// blk holds the cylinders in that order too, cylinder i in lane
	// slot[i], and dirBlocks[k] marks the blocks
	// holding a cylinder compatible with a direction in bucket k (dirBucket):
	// the row kernel skips the others, about a third of them.
	slot      []uint16
	dirBlocks [dirBuckets + 1]uint8
	// mins are the minutiae the consolidation aligns (all of the
	// template's), cell by cell of a gw × gh grid of cell-pixel cells
	// from (gx0, gy0) (cell c's from cellStart[c]); cylMin[k] is
	// cylinder k's minutia; rows[r] is grid row r's first minutia (the
	// kernel's copy of cellStart[r·gw]); hull is their convex hull, w × h
	// the image.
	mins           []minPos
	cellStart      []uint16
	rows           []int32
	cylMin         []uint16
	gw, gh         int
	gx0, gy0, cell float32
	hull           []edgeLine
	w, h           float32
}

// cylPos is what the matcher reads of a cylinder besides its bits.
type cylPos struct {
	X, Y, Dir float32
	NV        uint32
}

// Prepare builds the matcher's descriptors of t. Templates at another
// resolution are scaled to 500 ppi first.
func Prepare(t *template.Template) *Prepared {
	if t.PPI > 0 && math.Abs(float64(t.PPI)-500) > 10 {
		s := 500 / float64(t.PPI)
		c := *t
		c.Width, c.Height = int(math.Round(float64(t.Width)*s)), int(math.Round(float64(t.Height)*s))
		c.Minutiae = make([]template.Minutia, len(t.Minutiae))
		for i, m := range t.Minutiae {
			m.X, m.Y = int(math.Round(float64(m.X)*s)), int(math.Round(float64(m.Y)*s))
			c.Minutiae[i] = m
		}
		t = &c
	}
	c := cylinders(t)
	// Most central first (most valid cells): QuickScore uses the first few.
	sort.SliceStable(c, func(i, j int) bool { return bits.OnesCount64(c[i].Valid) > bits.OnesCount64(c[j].Valid) })
	if len(c) > maxCylinders {
		c = c[:maxCylinders]
	}
	p := newPrepared(c)
	// Consolidation reads every minutia, with its type.
	p.setConsMinutiae(consMinutiae(t, c), len(c), float32(t.Width), float32(t.Height))
	return p
}

// newPrepared stores cylinders cs, and their direction order.
func newPrepared(cs []cylinder) *Prepared {
	p := &Prepared{pos: make([]cylPos, len(cs))}
	for i, c := range cs {
		p.pos[i] = cylPos{c.X, c.Y, c.Dir, c.NV}
	}
	p.byDir = make([]uint16, len(cs))
	for i := range p.byDir {
		p.byDir[i] = uint16(i)
	}
	sort.SliceStable(p.byDir, func(i, j int) bool { return p.pos[p.byDir[i]].Dir < p.pos[p.byDir[j]].Dir })
	p.dirs = make([]float32, len(cs))
	p.slot = make([]uint16, len(cs))
	for q, k := range p.byDir {
		p.dirs[q] = p.pos[k].Dir
		p.slot[k] = uint16(q)
	}
	p.blk = blocks(cs, p.byDir)
	p.dirBlocks = dirBlockMasks(p.dirs)
	ms := make([]minPos, len(cs))
	for i, c := range cs {
		ms[i] = newMinPos(c.X, c.Y, c.Dir, 0)
	}
	p.setConsMinutiae(ms, len(cs), 0, 0)
	return p
}

// cylinder rebuilds cylinder i of p.
func (p *Prepared) cylinder(i int) cylinder {
	q := p.slot[i]
	b, l := &p.blk[q/8], q%8
	c := cylinder{X: p.pos[i].X, Y: p.pos[i].Y, Dir: p.pos[i].Dir, NV: p.pos[i].NV, Valid: b.Valid[l]}
	for k := range cylNd {
		c.Bits[k] = b.Bits[k][l]
	}
	return c
}

// head is p's first n cylinders, to be compared as the probe side only
// (its blocks are all of p's).
func (p *Prepared) head(n int) *Prepared {
	n = min(n, len(p.pos))
	return &Prepared{pos: p.pos[:n], blk: p.blk, slot: p.slot}
}

// cylinders rebuilds all of p's cylinders.
func (p *Prepared) cylinders() []cylinder {
	out := make([]cylinder, len(p.pos))
	for i := range out {
		out[i] = p.cylinder(i)
	}
	return out
}

// maxCylinders caps the descriptors kept per finger, dropping those
// nearest the edge of the finger area: comparison time grows with the
// square of the count.
var maxCylinders = 64

// DefaultThreshold is the score at or above which two fingers are taken
// to match: the highest of the ten FVC sets' extended-impostor thresholds
// for FMR ≤ 0.1% (0.013–0.024, "station eval finger --all", column thr1k;
// 0.040 before consolidation scaled scores by 0.5–1). With 2,800
// impostor pairs per set it is a coarse calibration; deployments wanting
// FMR ≤ 1e-4 need a larger impostor set.
const DefaultThreshold = 0.024

// Len is the number of usable minutiae descriptors.
func (p *Prepared) Len() int { return len(p.pos) }

// sqrtTab holds √n for popcounts up to a full cylinder.
var sqrtTab = func() (t [cylNd*64 + 1]float32) {
	for i := range t {
		t[i] = float32(math.Sqrt(float64(i)))
	}
	return t
}()

// Global-score parameters (MCC's LSS): the score is the mean of the nP best
// local similarities, nP growing with the smaller template. MCC's maxNP
// is 12; with relaxation over at most maxRelax pairs, genuine pairs of
// small overlap or with many false minutiae have fewer than 12 that
// survive, and averaging in the rest buries them among impostors (FVC
// ten image sets, mean EER / mean extended EER: maxNP 12 5.85/6.32%,
// 10 5.48/6.31%, 8 5.34/6.32%, 6 5.36/6.12%, 4 5.38/6.22%).
const (
	minNP = 4
	maxNP = 6
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
	if float32(nc) < minCommon*float32(int(a.NV+b.NV)-nc) { // |a ∪ b| = |a| + |b| - |a ∩ b|
		return 0
	}
	var na, nb, nx int
	for k := 0; k < cylNd; k++ {
		x, y := a.Bits[k]&common, b.Bits[k]&common
		na += bits.OnesCount64(x)
		nb += bits.OnesCount64(y)
		nx += bits.OnesCount64(x ^ y)
	}
	return simFromCounts(na, nb, nx)
}

// localSimLane is localSim of a and lane l of block b, read in place (the
// portable scan's inner loop).
func localSimLane(a *cylinder, b *cylBlock, l int) float32 {
	common := a.Valid & b.Valid[l]
	nc := bits.OnesCount64(common)
	if float32(nc) < minCommon*float32(int(a.NV+uint32(b.NV[l]))-nc) {
		return 0
	}
	var na, nb, nx int
	for k := 0; k < cylNd; k++ {
		x, y := a.Bits[k]&common, b.Bits[k][l]&common
		na += bits.OnesCount64(x)
		nb += bits.OnesCount64(y)
		nx += bits.OnesCount64(x ^ y)
	}
	return simFromCounts(na, nb, nx)
}

// simFromCounts is the bit-MCC similarity from the set bits of both
// cylinders and of their difference, over their common cells.
func simFromCounts(na, nb, nx int) float32 {
	den := sqrtTab[na] + sqrtTab[nb]
	if den == 0 {
		return 0
	}
	return 1 - sqrtTab[nx]/den
}

// pair is a candidate correspondence between minutia A and minutia B.
type pair struct {
	a, b uint16
	sim  float32
}

// Relaxation (MCC's LSS-R): the best candidate pairs support each other
// when the distances and angles between them agree in both templates, and
// pairs that no other pair supports lose weight.
const (
	maxRelax   = 48  // candidate pairs kept for relaxation (MCC: min(nA, nB))
	relaxIters = 5   // iterations
	relaxW     = 0.5 // weight kept from the previous iteration
)

// Compare returns the similarity of two prepared templates in [0, 1].
// It allocates nothing, so it can run in tight 1:N loops.
func Compare(a, b *Prepared) float64 {
	na, nb := len(a.pos), len(b.pos)
	if na == 0 || nb == 0 {
		return 0
	}
	np, nr := relaxSize(na, nb)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	var top [maxRelax]pair
	k := sc.topPairs(a, b, top[:nr])
	if k < 2 {
		return 0
	}
	return sc.relax(a, b, top[:k], np)
}

// relaxSize returns how many pairs the global score averages and how many
// candidate pairs relaxation starts from.
func relaxSize(na, nb int) (np, nr int) {
	np = numPairs(na, nb)
	return np, min(max(np, min(na, nb)), maxRelax)
}

// topPairs fills top with the best local similarities, descending, and
// returns how many it found. Ties go to the lower (a, b) index pair, as in
// a plain row-by-row scan, whatever order b's cylinders are visited in.
func topPairs(a, b *Prepared, top []pair) int {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	return sc.topPairs(a, b, top)
}

// topPairs is topPairs with sc's memory.
func (sc *scratch) topPairs(a, b *Prepared, top []pair) int {
	if matrixFits(a, b) {
		m := &sc.m
		m.fill(a, b, 0, len(a.pos))
		return m.rank(0, len(a.pos), m.bar(0, len(a.pos), len(top)), top, b.byDir)
	}
	if len(b.dirs) != len(b.pos) {
		return topPairsScan(a, b, top)
	}
	k, _ := scanRows(a, b, 0, len(a.pos), top, 0, nil, 0)
	return k
}

// scanRows goes on with topPairs over a's cylinders [r0, r1), top already
// holding k pairs; quick, when not empty, collects the best pairs of those
// rows too (qk of them so far), so Search gets QuickScore from the rows it
// scans anyway. It is the portable scan, used where the kernels are not
// (or for templates beyond the matrix's 64 cylinders).
func scanRows(a, b *Prepared, r0, r1 int, top []pair, k int, quick []pair, qk int) (int, int) {
	nb := len(b.pos)
	// The run is found with a small margin and every pair in it still gets
	// the exact direction test, so rounding cannot change which pairs count.
	const margin = 1e-3
	for i := r0; i < r1; i++ {
		row := a.cylinder(i)
		ca := &row
		start := ca.Dir - (math.Pi/2 + margin)
		if start < 0 {
			start += 2 * math.Pi
		}
		lo := searchDir(b.dirs, start)
		for m := 0; m < nb; m++ {
			q := lo + m
			if q >= nb {
				q -= nb
			}
			off := b.dirs[q] - start
			if off < 0 {
				off += 2 * math.Pi
			}
			if off > math.Pi+2*margin {
				break
			}
			j := b.byDir[q]
			if !dirCompatible(ca.Dir, b.pos[j].Dir) {
				continue
			}
			s := localSimLane(ca, &b.blk[q/8], q%8)
			if s <= 0 {
				continue
			}
			// Most pairs fall short of a full list's last entry: reject
			// them here, without the call (ties go on to insertPair).
			if k < len(top) || s >= top[k-1].sim {
				k = insertPair(top, k, s, uint16(i), j)
			}
			if len(quick) > 0 && (qk < len(quick) || s >= quick[qk-1].sim) {
				qk = insertPair(quick, qk, s, uint16(i), j)
			}
		}
	}
	return k, qk
}

// insertPair puts (i, j, s) into the k best pairs in top if it belongs
// there and returns the new count.
func insertPair(top []pair, k int, s float32, i, j uint16) int {
	n := len(top)
	if k == n && !better(s, i, j, &top[n-1]) {
		return k
	}
	p := k
	if k < n {
		k++
	} else {
		p = n - 1
	}
	for p > 0 && better(s, i, j, &top[p-1]) {
		top[p] = top[p-1]
		p--
	}
	top[p] = pair{i, j, s}
	return k
}

// better orders candidate pairs: higher similarity first, then scan order.
func better(s float32, i, j uint16, t *pair) bool {
	return s > t.sim || s == t.sim && (i < t.a || i == t.a && j < t.b)
}

// searchDir returns the first index of ds (ascending) at or above v, or 0
// when there is none (the run wraps around).
func searchDir(ds []float32, v float32) int {
	lo, hi := 0, len(ds)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ds[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(ds) {
		return 0
	}
	return lo
}

// dirCompatible is MCC's pairing rule: directions differing by under π/2.
func dirCompatible(a, b float32) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d <= math.Pi/2
}

// dirBuckets is the number of direction buckets of Prepared.dirBlocks.
const dirBuckets = 64

// dirBucket returns the bucket of direction d in [0, 2π) (for any other,
// one past the last, whose mask dirBlockMasks leaves full).
func dirBucket(d float32) int {
	k := int(d * (dirBuckets / (2 * math.Pi)))
	if d < 0 || k >= dirBuckets {
		return dirBuckets
	}
	return k
}

// dirBlockMasks returns, for each bucket of directions (and a last, full
// one), the blocks of the ascending directions dirs (8 a block, at most 8
// blocks) that hold one within π/2 of some direction in the bucket, with
// a margin far above float32 rounding, so that no pair dirCompatible
// accepts is skipped.
func dirBlockMasks(dirs []float32) (m [dirBuckets + 1]uint8) {
	const margin = 1e-3
	w := 2 * math.Pi / dirBuckets
	for k := range dirBuckets {
		lo, hi := float64(k)*w-margin, float64(k+1)*w+margin
		for q, d := range dirs[:min(len(dirs), 64)] {
			// The circular distance from d to the bucket [lo, hi].
			x := float64(d)
			var dist float64
			if x < lo || x > hi {
				a, b := math.Abs(x-lo), math.Abs(x-hi)
				a, b = min(a, 2*math.Pi-a), min(b, 2*math.Pi-b)
				dist = min(a, b)
			}
			if dist <= math.Pi/2+margin {
				m[k] |= 1 << (q / 8)
			}
		}
	}
	m[dirBuckets] = 0xff
	return m
}

// topPairsScan is topPairs for descriptors without the direction order.
func topPairsScan(a, b *Prepared, top []pair) int {
	n := len(top)
	k := 0
	for i := range a.pos {
		row := a.cylinder(i)
		ca := &row
		for j := range b.pos {
			if !dirCompatible(ca.Dir, b.pos[j].Dir) {
				continue
			}
			q := int(b.slot[j])
			s := localSimLane(ca, &b.blk[q/8], q%8)
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

// sigmoid is MCC's Z function.
func sigmoid(v, mu, tau float64) float64 {
	return 1 / (1 + math.Exp(-tau*(v-mu)))
}

// Relaxation compatibilities are MCC's sigmoids, tabulated: the matcher
// evaluates hundreds per comparison and exp would dominate its time.
const (
	distSteps  = 8   // table entries per pixel
	distMax    = 20  // pixels; beyond this the compatibility is ~0
	angleSteps = 512 // entries over [0, π]
)

// distStretch scales the distance tolerance with the distance: skin
// stretches, so far-apart minutiae move further relative to each other.
const distStretch = 0.0025

var distTab = func() (t [distMax*distSteps + 1]float32) {
	for i := range t {
		v := sigmoid(float64(i)/distSteps, 5, -1.6)
		if v > 1e-4 {
			t[i] = float32(v)
		}
	}
	return t
}()

var angleTab = func() (t [angleSteps + 1]float32) {
	for i := range t {
		t[i] = float32(sigmoid(float64(i)*math.Pi/angleSteps, math.Pi/12, -30))
	}
	return t
}()

func distCompat(d float32) float32 {
	i := int(d*distSteps + 0.5)
	if i >= len(distTab) {
		return 0
	}
	return distTab[i]
}

func angleCompat(a float32) float32 {
	return angleTab[min(int(a*(angleSteps/math.Pi)+0.5), angleSteps)]
}

// atan2f approximates atan2 within about 0.0015 radians, plenty for
// angle tolerances of π/12.
func atan2f(y, x float32) float32 {
	ax, ay := abs32(x), abs32(y)
	if ax == 0 && ay == 0 {
		return 0
	}
	var a float32
	if ax >= ay {
		t := ay / ax
		a = t * (math.Pi/4 + 0.273*(1-t))
	} else {
		t := ax / ay
		a = math.Pi/2 - t*(math.Pi/4+0.273*(1-t))
	}
	if x < 0 {
		a = math.Pi - a
	}
	if y < 0 {
		a = -a
	}
	return a
}

func angleDiff32(a, b float32) float32 {
	d := a - b
	for d > math.Pi {
		d -= 2 * math.Pi
	}
	for d < -math.Pi {
		d += 2 * math.Pi
	}
	if d < 0 {
		d = -d
	}
	return d
}

// relaxInput lays out the minutiae of candidate pairs ps for compat.
func relaxInput(in *relaxIn, a, b *Prepared, ps []pair) {
	for i, p := range ps {
		ca, cb := &a.pos[p.a], &b.pos[p.b]
		in.AX[i], in.AY[i], in.AD[i] = ca.X, ca.Y, ca.Dir
		in.BX[i], in.BY[i], in.BD[i] = cb.X, cb.Y, cb.Dir
		in.PA[i], in.PB[i] = int32(p.a), int32(p.b)
	}
}

// relaxIn holds at most relaxMax pairs.
var _ [relaxMax - maxRelax]struct{}

func relax(a, b *Prepared, ps []pair, np int) float64 {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	return sc.relax(a, b, ps, np)
}

// relax is relax with sc's memory.
func (sc *scratch) relax(a, b *Prepared, ps []pair, np int) float64 {
	n := len(ps)
	in := &sc.in
	relaxInput(in, a, b, ps)
	// Most compatibilities are zero: nz[i] marks row i's others, and the
	// sums below visit them in ascending column order, so they add the
	// same terms in the same order as a full matrix product. Only entries
	// marked in nz are read.
	rho, nz := &sc.rho, &sc.nz
	dense := relaxRounds != nil
	if relaxKernel != nil {
		relaxKernel(in, n, rho, nz)
	} else {
		if dense {
			// The rounds' kernel reads whole rows: zero the part it reads.
			w := min(relaxMax, (n+15)/16*16)
			for i := range n {
				clear(rho[i][:w])
			}
		}
		clear(nz[:n])
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if r := compat(in, i, j); r != 0 {
					rho[i][j] = r
					nz[i] |= 1 << j
				}
			}
		}
		for i := 0; i < n; i++ {
			for m := nz[i] &^ (1<<(i+1) - 1); m != 0; m &= m - 1 {
				j := bits.TrailingZeros64(m)
				rho[j][i] = rho[i][j]
				nz[j] |= 1 << i
			}
		}
	}
	var lam, next [relaxMax]float32
	for i := range ps {
		lam[i] = ps[i].sim
	}
	if dense {
		sc.lam = lam
		relaxRounds(rho, &sc.lam, n)
		lam = sc.lam
	}
	for it := 0; it < relaxIters && !dense; it++ {
		for i := 0; i < n; i++ {
			var s float32
			for m := nz[i]; m != 0; m &= m - 1 {
				j := bits.TrailingZeros64(m)
				s += rho[i][j] * lam[j]
			}
			next[i] = relaxW*lam[i] + (1-relaxW)*s/float32(n-1)
		}
		lam = next
	}
	// Keep the np pairs whose similarity survived relaxation best, best
	// first, ties in list order (a stable sort's first np).
	var eff [maxNP]float32
	var idx [maxNP]int
	c, np1 := 0, min(np, n, maxNP)
	for i := 0; i < n; i++ {
		e := lam[i] / ps[i].sim
		if c == np1 && !(e > eff[c-1]) {
			continue
		}
		p := c
		if c < np1 {
			c++
		} else {
			p--
		}
		for ; p > 0 && eff[p-1] < e; p-- {
			eff[p], idx[p] = eff[p-1], idx[p-1]
		}
		eff[p], idx[p] = e, i
	}
	var sum float32
	for _, i := range idx[:c] {
		sum += lam[i]
	}
	base := float64(sum) / float64(np)
	return base * float64(sc.consolidate(a, b, ps, lam[:n], idx[:c], base))
}

// wrap32 brings an angle difference into [-π, π].
func wrap32(d float32) float32 {
	for d > math.Pi {
		d -= 2 * math.Pi
	}
	for d < -math.Pi {
		d += 2 * math.Pi
	}
	return d
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
