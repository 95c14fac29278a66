package finger

// thin reduces ridges to one-pixel-wide skeletons with the Zhang–Suen
// algorithm, followed by a pass that removes the staircase corners it
// leaves, which would otherwise read as tiny bifurcations.
//
// Each sub-iteration decides every pixel on the image as it stood before
// it, so only ridge pixels need visiting: they are kept in a list (in
// raster order, for the staircase pass, which works in place) that drops
// pixels as they are deleted, and each is decided by a table lookup on
// its eight neighbours.
func thin(b *binary) *binary {
	s := &binary{b.W, b.H, takeSlice[uint8](&bytePool, len(b.Pix))}
	copy(s.Pix, b.Pix)
	w := s.W
	live := takeSlice[int32](&indexPool, len(s.Pix)/2)[:0]
	for y := 1; y < s.H-1; y++ {
		row := s.Pix[y*w:][:w]
		for x := 1; x < w-1; x++ {
			if row[x] != 0 {
				live = append(live, int32(y*w+x))
			}
		}
	}
	// Branch-free: whether a pixel goes is a coin toss to the predictor.
	del := takeSlice[int32](&indexPool, len(live))
	defer recycleSlice(&indexPool, del)
	defer func() { recycleSlice(&indexPool, live) }()
	for changed := true; changed; {
		changed = false
		for step := range zhangSuen {
			lut := &zhangSuen[step]
			n := 0
			for _, i := range live {
				del[n] = i
				n += int(lut[neighbours(s.Pix, int(i), w)])
			}
			if n == 0 {
				continue
			}
			changed = true
			for _, i := range del[:n] {
				s.Pix[i] = 0
			}
			k := 0
			for _, i := range live {
				live[k] = i
				k += int(s.Pix[i])
			}
			live = live[:k]
		}
	}
	// Staircase removal: a pixel with two 4-neighbours at a right angle
	// whose diagonal between them is empty is redundant.
	for _, i := range live {
		if staircase[neighbours(s.Pix, int(i), w)] {
			s.Pix[i] = 0
		}
	}
	return s
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

// zhangSuen is 1, per sub-iteration and neighbour code, where a ridge
// pixel is deleted: the classic conditions (2–6 ridge neighbours, one 0→1
// transition around them, and P2·P4·P6 = P4·P6·P8 = 0 in the first
// sub-iteration, P2·P4·P8 = P2·P6·P8 = 0 in the second), evaluated once.
var zhangSuen = func() (t [2][256]uint8) {
	for c := 0; c < 256; c++ {
		var p [11]int // p[2]…p[9], and p[10] = p[2] to close the ring
		for k := 0; k < 8; k++ {
			p[k+2] = c >> k & 1
		}
		p[10] = p[2]
		n := p[2] + p[3] + p[4] + p[5] + p[6] + p[7] + p[8] + p[9]
		a := 0
		for k := 2; k <= 9; k++ {
			if p[k] == 0 && p[k+1] == 1 {
				a++
			}
		}
		if n < 2 || n > 6 || a != 1 {
			continue
		}
		if p[2]*p[4]*p[6] == 0 && p[4]*p[6]*p[8] == 0 {
			t[0][c] = 1
		}
		if p[2]*p[4]*p[8] == 0 && p[2]*p[6]*p[8] == 0 {
			t[1][c] = 1
		}
	}
	return t
}()

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
