package finger

import "image"

// binary is a 0/1 pixel image; 1 is ridge.
type binary struct {
	W, H int
	Pix  []uint8
}

func (b *binary) get(x, y int) uint8 {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return 0
	}
	return b.Pix[y*b.W+x]
}

func (b *binary) toGray() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, b.W, b.H))
	for i, v := range b.Pix {
		if v == 0 {
			g.Pix[i] = 255
		}
	}
	return g
}

// recycle hands b's pixels back for the next image; b must not be used
// after. Nil images are ignored.
func (b *binary) recycle() {
	if b != nil {
		recycleSlice(&bytePool, b.Pix)
		b.Pix = nil
	}
}

// binarize marks ridges: ridges are dark, so after the zero-mean Gabor
// filter they are the negative responses inside the foreground.
func binarize(e *plane, m *mask) *binary {
	b := &binary{e.W, e.H, takeSlice[uint8](&bytePool, len(e.Pix))}
	clear(b.Pix)
	for y := 0; y < e.H && y/blockSize < m.BH; y++ {
		on := m.On[(y/blockSize)*m.BW:][:m.BW]
		src, dst := e.Pix[y*e.W:][:e.W], b.Pix[y*e.W:][:e.W]
		for bx, fg := range on {
			if !fg {
				continue
			}
			for x := bx * blockSize; x < min(bx*blockSize+blockSize, e.W); x++ {
				if src[x] < 0 {
					dst[x] = 1
				}
			}
		}
	}
	return b
}
