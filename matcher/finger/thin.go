package finger

// thin reduces ridges to one-pixel-wide skeletons with the Zhang–Suen
// algorithm, followed by a pass that removes the staircase corners it
// leaves, which would otherwise read as tiny bifurcations.
func thin(b *binary) *binary {
	s := &binary{b.W, b.H, append([]uint8(nil), b.Pix...)}
	w := s.W
	var del []int
	for changed := true; changed; {
		changed = false
		for step := 0; step < 2; step++ {
			del = del[:0]
			for y := 1; y < s.H-1; y++ {
				for x := 1; x < w-1; x++ {
					i := y*w + x
					if s.Pix[i] == 0 {
						continue
					}
					p2, p3, p4 := s.Pix[i-w], s.Pix[i-w+1], s.Pix[i+1]
					p5, p6, p7 := s.Pix[i+w+1], s.Pix[i+w], s.Pix[i+w-1]
					p8, p9 := s.Pix[i-1], s.Pix[i-w-1]
					n := p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9
					if n < 2 || n > 6 {
						continue
					}
					nb := [9]uint8{p2, p3, p4, p5, p6, p7, p8, p9, p2}
					a := 0
					for k := 0; k < 8; k++ {
						if nb[k] == 0 && nb[k+1] == 1 {
							a++
						}
					}
					if a != 1 {
						continue
					}
					if step == 0 && (p2*p4*p6 != 0 || p4*p6*p8 != 0) {
						continue
					}
					if step == 1 && (p2*p4*p8 != 0 || p2*p6*p8 != 0) {
						continue
					}
					del = append(del, i)
				}
			}
			for _, i := range del {
				s.Pix[i] = 0
			}
			changed = changed || len(del) > 0
		}
	}
	// Staircase removal: a pixel with two 4-neighbours at a right angle
	// whose diagonal between them is empty is redundant.
	for y := 1; y < s.H-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			if s.Pix[i] == 0 {
				continue
			}
			n, e, so, we := s.Pix[i-w], s.Pix[i+1], s.Pix[i+w], s.Pix[i-1]
			if (n == 1 && e == 1 && so == 0 && we == 0 && s.Pix[i+w-1] == 0) ||
				(e == 1 && so == 1 && n == 0 && we == 0 && s.Pix[i-w-1] == 0) ||
				(so == 1 && we == 1 && n == 0 && e == 0 && s.Pix[i-w+1] == 0) ||
				(we == 1 && n == 1 && so == 0 && e == 0 && s.Pix[i+w+1] == 0) {
				s.Pix[i] = 0
			}
		}
	}
	return s
}
