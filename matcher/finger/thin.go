package finger

import "math/bits"

// thin reduces ridges to one-pixel-wide skeletons with the Zhang–Suen
// algorithm, followed by a pass that removes the staircase corners it
// leaves, which would otherwise read as tiny bifurcations.
//
// Each Zhang–Suen sub-iteration decides every pixel on the image as it
// stood before it, from its eight neighbours alone, so it is computed on
// bit rows, 64 pixels per word operation (thinWord). A row is decided
// again only when it or a row next to it lost pixels since its last
// decision; otherwise the answer could not change.
func thin(b *binary) *binary {
	w, h := b.W, b.H
	s := &binary{w, h, takeSlice[uint8](&bytePool, len(b.Pix))}
	copy(s.Pix, b.Pix)
	if w < 3 || h < 3 {
		return s
	}
	nw := (w + 63) / 64
	img := takeSlice[uint64](&wordPool, 2*nw*h)
	defer recycleSlice(&wordPool, img)
	img, del := img[:nw*h], img[nw*h:]
	for y := 0; y < h; y++ {
		packRow(img[y*nw:][:nw], s.Pix[y*w:][:w])
	}
	// Only pixels 1…w-2 of rows 1…h-2 are ever decided.
	inner := make([]uint64, nw)
	for x := 1; x < w-1; x++ {
		inner[x>>6] |= 1 << (x & 63)
	}
	// redo[st][y]: row y must be decided in sub-iteration st.
	redo := [2][]bool{make([]bool, h), make([]bool, h)}
	for y := 1; y < h-1; y++ {
		redo[0][y], redo[1][y] = true, true
	}
	lost := make([]bool, h)
	for changed := true; changed; {
		changed = false
		for st := range 2 {
			any := false
			for y := 1; y < h-1; y++ {
				d := del[y*nw:][:nw]
				if !redo[st][y] {
					clear(d)
					continue
				}
				redo[st][y] = false
				var rowAny uint64
				up, mid, dn := img[(y-1)*nw:][:nw], img[y*nw:][:nw], img[(y+1)*nw:][:nw]
				for j := range d {
					d[j] = thinWord(up, mid, dn, j, st) & inner[j]
					rowAny |= d[j]
				}
				lost[y] = rowAny != 0
				any = any || lost[y]
			}
			if !any {
				continue
			}
			changed = true
			for y := 1; y < h-1; y++ {
				if !lost[y] {
					continue
				}
				lost[y] = false
				for t := range redo {
					redo[t][y-1], redo[t][y], redo[t][y+1] = true, true, true
				}
				mid, d := img[y*nw:][:nw], del[y*nw:][:nw]
				for j, dw := range d {
					mid[j] &^= dw
					for ; dw != 0; dw &= dw - 1 {
						s.Pix[y*w+j*64+bits.TrailingZeros64(dw)] = 0
					}
				}
			}
		}
	}
	// Staircase removal: a pixel with two 4-neighbours at a right angle
	// whose diagonal between them is empty is redundant. It works in
	// place, so in raster order.
	for y := 1; y < h-1; y++ {
		for j, v := range img[y*nw:][:nw] {
			for v &= inner[j]; v != 0; v &= v - 1 {
				if i := y*w + j*64 + bits.TrailingZeros64(v); staircase[neighbours(s.Pix, i, w)] {
					s.Pix[i] = 0
				}
			}
		}
	}
	return s
}

// packRow packs a row of 0/1 bytes into bits, eight bytes at a time:
// multiplying by 0x0102040810204080 moves byte i's low bit to bit 56+i,
// every other product landing on its own bit (so nothing carries) outside
// the top byte.
func packRow(dst []uint64, row []uint8) {
	clear(dst)
	x := 0
	for ; x+8 <= len(row); x += 8 {
		r := row[x:][:8] // one 64-bit load: the compiler merges the bytes
		v := uint64(r[0]) | uint64(r[1])<<8 | uint64(r[2])<<16 | uint64(r[3])<<24 |
			uint64(r[4])<<32 | uint64(r[5])<<40 | uint64(r[6])<<48 | uint64(r[7])<<56
		v &= 0x0101010101010101
		dst[x>>6] |= (v * 0x0102040810204080 >> 56) << (x & 63)
	}
	for ; x < len(row); x++ {
		dst[x>>6] |= uint64(row[x]&1) << (x & 63)
	}
}

// thinWord returns which of the 64 pixels of word j of bit row mid
// Zhang–Suen sub-iteration st deletes, up and dn being the rows above and
// below: ridge pixels with 2–6 ridge neighbours, one 0→1 transition
// around them, and P2·P4·P6 = P4·P6·P8 = 0 in the first sub-iteration,
// P2·P4·P8 = P2·P6·P8 = 0 in the second (P2 north, clockwise to P9).
func thinWord(up, mid, dn []uint64, j, st int) uint64 {
	// west and east shift in the neighbouring words' edge pixels.
	west := func(r []uint64) uint64 {
		v := r[j] << 1
		if j > 0 {
			v |= r[j-1] >> 63
		}
		return v
	}
	east := func(r []uint64) uint64 {
		v := r[j] >> 1
		if j+1 < len(r) {
			v |= r[j+1] << 63
		}
		return v
	}
	c := mid[j]
	p2, p3, p4, p5 := up[j], east(up), east(mid), east(dn)
	p6, p7, p8, p9 := dn[j], west(dn), west(mid), west(up)
	// Neighbour count, bit-sliced: b0 + 2·b1 + 4·b2 + 8·b3.
	s1, c1 := p2^p3^p4, (p2&p3)|(p4&(p2^p3))
	s2, c2 := p5^p6^p7, (p5&p6)|(p7&(p5^p6))
	s3, c3 := p8^p9, p8&p9
	b0, k1 := s1^s2^s3, (s1&s2)|(s3&(s1^s2))
	t, k2 := c1^c2^c3, (c1&c2)|(c3&(c1^c2))
	b1, k3 := t^k1, t&k1
	b2, b3 := k2^k3, k2&k3
	count := (b1 | b2 | b3) &^ b3 &^ (b2 & b1 & b0) // 2 ≤ n ≤ 6
	// Exactly one 0→1 transition in P2, P3, …, P9, P2.
	var one, more uint64
	for _, tr := range [8]uint64{^p2 & p3, ^p3 & p4, ^p4 & p5, ^p5 & p6, ^p6 & p7, ^p7 & p8, ^p8 & p9, ^p9 & p2} {
		more |= one & tr
		one |= tr
	}
	cond := c & count & one &^ more
	if st == 0 {
		return cond &^ (p2 & p4 & p6) &^ (p4 & p6 & p8)
	}
	return cond &^ (p2 & p4 & p8) &^ (p2 & p6 & p8)
}

// Neighbour bits of neighbours' code, Zhang–Suen's P2…P9: clockwise from
// north.
const (
	nbN = 1 << iota
	nbNE
	nbE
	nbSE
	nbS
	nbSW
	nbW
	nbNW
)

// neighbours packs the eight neighbours of pixel i (0 or 1 each) into a
// byte of nb* bits.
func neighbours(pix []uint8, i, w int) uint8 {
	n := pix[i-w-1:]
	return n[1] | n[2]<<1 | n[w+2]<<2 | n[2*w+2]<<3 | n[2*w+1]<<4 | n[2*w]<<5 | n[w]<<6 | n[0]<<7
}

// staircase tells, per neighbour code, whether a skeleton pixel is a
// redundant staircase corner.
var staircase = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		on := func(bit int) bool { return c&bit != 0 }
		n, e, so, we := on(nbN), on(nbE), on(nbS), on(nbW)
		t[c] = (n && e && !so && !we && !on(nbSW)) ||
			(e && so && !n && !we && !on(nbNW)) ||
			(so && we && !n && !e && !on(nbNE)) ||
			(we && n && !so && !e && !on(nbSE))
	}
	return t
}()
