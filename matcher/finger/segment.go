package finger

import (
	"image"
	"math"
	"slices"
)

// blockSize is the side of the blocks the orientation, frequency and mask
// are computed on, at 500 ppi (about one ridge period plus a bit).
const blockSize = 8

// blockMap is a per-block value grid.
type blockMap struct {
	BW, BH int
	V      []float32
}

// mask is the foreground (finger) area per block.
type mask struct {
	BW, BH int
	On     []bool
}

func (m *mask) pixel(x, y int) bool {
	bx, by := x/blockSize, y/blockSize
	if bx < 0 || by < 0 || bx >= m.BW || by >= m.BH {
		return false
	}
	return m.On[by*m.BW+bx]
}

func (m *mask) count() int {
	n := 0
	for _, v := range m.On {
		if v {
			n++
		}
	}
	return n
}

func (m *mask) toGray() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, m.BW*blockSize, m.BH*blockSize))
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			if m.pixel(x, y) {
				g.Pix[y*g.Stride+x] = 255
			}
		}
	}
	return g
}

// blockStats returns the mean and standard deviation of each block,
// measured over a window twice the block's side so that one ridge and one
// valley always fall inside it.
//
// The window sums come from integral images of v and v², of which only
// the rows and columns at window edges are ever read: those are all that
// is kept, each summed in the same order as a full integral image would.
func blockStats(p *plane) (mean, std *blockMap) {
	bw, bh := (p.W+blockSize-1)/blockSize, (p.H+blockSize-1)/blockSize
	// Window edges along each axis, and where each lands among them.
	xs, xAt := windowEdges(bw, p.W)
	ys, yAt := windowEdges(bh, p.H)
	nx := len(xs)
	// s1, s2 hold the integral images at rows ys and columns xs.
	s1 := make([]float64, len(ys)*nx)
	s2 := make([]float64, len(ys)*nx)
	c1 := make([]float64, nx) // the current row of each, at columns xs
	c2 := make([]float64, nx)
	next := 1 // ys[0] is 0, whose integral row is all zeros
	for y := 0; y < p.H && next < len(ys); y++ {
		row := p.Pix[y*p.W:][:p.W]
		var r1, r2 float64
		x := 0
		for j, xe := range xs[1:] {
			for ; x < xe; x++ {
				v := float64(row[x])
				r1 += v
				r2 += v * v
			}
			c1[j+1] += r1
			c2[j+1] += r2
		}
		if y+1 == ys[next] {
			copy(s1[next*nx:][:nx], c1)
			copy(s2[next*nx:][:nx], c2)
			next++
		}
	}
	mean = &blockMap{bw, bh, make([]float32, bw*bh)}
	std = &blockMap{bw, bh, make([]float32, bw*bh)}
	for by := 0; by < bh; by++ {
		y0, y1 := max(by*blockSize-blockSize/2, 0), min(by*blockSize+blockSize*3/2, p.H)
		r0, r1 := yAt[y0]*nx, yAt[y1]*nx
		for bx := 0; bx < bw; bx++ {
			x0, x1 := max(bx*blockSize-blockSize/2, 0), min(bx*blockSize+blockSize*3/2, p.W)
			i0, i1 := xAt[x0], xAt[x1]
			n := float64((x1 - x0) * (y1 - y0))
			a := s1[r1+i1] - s1[r0+i1] - s1[r1+i0] + s1[r0+i0]
			b := s2[r1+i1] - s2[r0+i1] - s2[r1+i0] + s2[r0+i0]
			m := a / n
			v := b/n - m*m
			if v < 0 {
				v = 0
			}
			mean.V[by*bw+bx] = float32(m)
			std.V[by*bw+bx] = float32(sqrt64(v))
		}
	}
	return mean, std
}

// windowEdges lists, in order, the coordinates where blockStats windows
// of n blocks over size pixels start or end, and for each coordinate up to
// size its index in that list (-1 if none).
func windowEdges(n, size int) (edges, at []int) {
	at = make([]int, size+1)
	for i := range at {
		at[i] = -1
	}
	for b := 0; b < n; b++ {
		at[max(b*blockSize-blockSize/2, 0)] = 0
		at[min(b*blockSize+blockSize*3/2, size)] = 0
	}
	at[0] = 0
	for c, v := range at {
		if v == 0 {
			at[c] = len(edges)
			edges = append(edges, c)
		}
	}
	return edges, at
}

// segment marks blocks whose contrast is a good fraction of the image's
// best contrast, then cleans the mask: majority smoothing removes specks,
// only the largest region is kept and its holes are filled. Incoherent
// blocks reached from outside the mask are then peeled off and the mask
// cleaned again: the speckled background of capacitive sensors has
// contrast but no ridge flow.
func segment(p *plane, std *blockMap, g *gradSums) *mask {
	m := &mask{std.BW, std.BH, make([]bool, len(std.V))}
	s := append([]float32(nil), std.V...)
	slices.Sort(s)
	ref := s[len(s)*9/10]
	th := max(ref*0.3, 6)
	for i, v := range std.V {
		m.On[i] = v > th
	}
	for it := 0; it < 2; it++ {
		m = majority(m)
	}
	keepLargest(m)
	fillHoles(m)
	if peelIncoherent(m, rawCoherence(g)) {
		for it := 0; it < 2; it++ {
			m = majority(m)
		}
		keepLargest(m)
		fillHoles(m)
	}
	return m
}

// peelCoherence is the 3×3-block coherence under which a block at the
// mask's edge is background: random speckle gives about 0–0.2, ridges
// 0.5–0.9. Whole ten-set table (mean FVC / extended EER): 0.08 →
// 4.81/6.18%, 0.1 → 4.72/6.02%, 0.12 → 5.14/6.09%, off → 4.81/6.19%.
const peelCoherence = 0.1

// peelIncoherent turns off the incoherent blocks reachable from outside
// the mask through incoherent blocks, and reports whether there were any.
// A core's or delta's incoherent blocks lie inside coherent ridges and
// stay.
func peelIncoherent(m *mask, coh []float64) bool {
	bw, bh := m.BW, m.BH
	low := func(i int) bool { return m.On[i] && coh[i] < peelCoherence }
	seen := make([]bool, len(m.On))
	var stack []int
	for i := range m.On {
		if !low(i) {
			continue
		}
		x, y := i%bw, i/bw
		edge := x == 0 || y == 0 || x == bw-1 || y == bh-1
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			xx, yy := x+d[0], y+d[1]
			if xx >= 0 && yy >= 0 && xx < bw && yy < bh && !m.On[yy*bw+xx] {
				edge = true
			}
		}
		if edge {
			seen[i] = true
			stack = append(stack, i)
		}
	}
	n := 0
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n++
		x, y := c%bw, c/bw
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			xx, yy := x+d[0], y+d[1]
			if xx < 0 || yy < 0 || xx >= bw || yy >= bh {
				continue
			}
			if j := yy*bw + xx; !seen[j] && low(j) {
				seen[j] = true
				stack = append(stack, j)
			}
		}
	}
	for i, s := range seen {
		if s {
			m.On[i] = false
		}
	}
	return n > 0
}

// rawCoherence is the ridge-flow coherence of each block's 3×3
// neighbourhood, before any mask: speckle and sensor noise have contrast
// but no common direction.
func rawCoherence(g *gradSums) []float64 {
	bw, bh := g.BW, g.BH
	c := make([]float64, bw*bh)
	for y := 0; y < bh; y++ {
		for x := 0; x < bw; x++ {
			var xx, yy, xy float64
			for j := max(y-1, 0); j <= min(y+1, bh-1); j++ {
				for i := max(x-1, 0); i <= min(x+1, bw-1); i++ {
					k := j*bw + i
					xx += g.XX[k]
					yy += g.YY[k]
					xy += g.XY[k]
				}
			}
			if d := xx + yy; d > 0 {
				c[y*bw+x] = math.Hypot(xx-yy, 2*xy) / d
			}
		}
	}
	return c
}

func majority(m *mask) *mask {
	out := &mask{m.BW, m.BH, make([]bool, len(m.On))}
	for y := 0; y < m.BH; y++ {
		for x := 0; x < m.BW; x++ {
			n, on := 0, 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= m.BW || yy >= m.BH {
						continue
					}
					n++
					if m.On[yy*m.BW+xx] {
						on++
					}
				}
			}
			out.On[y*m.BW+x] = on*2 > n
		}
	}
	return out
}

// regions labels 4-connected regions of blocks equal to val.
func regions(m *mask, val bool) (labels []int, sizes []int) {
	labels = make([]int, len(m.On))
	for i := range labels {
		labels[i] = -1
	}
	stack := []int{}
	for i, v := range m.On {
		if v != val || labels[i] >= 0 {
			continue
		}
		id := len(sizes)
		sizes = append(sizes, 0)
		labels[i] = id
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			sizes[id]++
			x, y := c%m.BW, c/m.BW
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				xx, yy := x+d[0], y+d[1]
				if xx < 0 || yy < 0 || xx >= m.BW || yy >= m.BH {
					continue
				}
				j := yy*m.BW + xx
				if m.On[j] == val && labels[j] < 0 {
					labels[j] = id
					stack = append(stack, j)
				}
			}
		}
	}
	return labels, sizes
}

func keepLargest(m *mask) {
	labels, sizes := regions(m, true)
	best := -1
	for i, s := range sizes {
		if best < 0 || s > sizes[best] {
			best = i
		}
	}
	for i := range m.On {
		m.On[i] = m.On[i] && labels[i] == best
	}
}

// fillHoles turns on background regions that do not touch the border.
func fillHoles(m *mask) {
	labels, sizes := regions(m, false)
	border := make([]bool, len(sizes))
	for i, l := range labels {
		x, y := i%m.BW, i/m.BW
		if l >= 0 && (x == 0 || y == 0 || x == m.BW-1 || y == m.BH-1) {
			border[l] = true
		}
	}
	for i, l := range labels {
		if l >= 0 && !border[l] {
			m.On[i] = true
		}
	}
}

// erode returns m shrunk by r blocks; minutiae need a margin from the
// finger's edge, where ridges end for no biological reason.
func erode(m *mask, r int) *mask {
	out := &mask{m.BW, m.BH, make([]bool, len(m.On))}
	for y := 0; y < m.BH; y++ {
		for x := 0; x < m.BW; x++ {
			ok := true
			for dy := -r; dy <= r && ok; dy++ {
				for dx := -r; dx <= r; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= m.BW || yy >= m.BH || !m.On[yy*m.BW+xx] {
						ok = false
						break
					}
				}
			}
			out.On[y*m.BW+x] = ok
		}
	}
	return out
}
