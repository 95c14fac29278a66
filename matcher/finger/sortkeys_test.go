package finger

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortKernel holds sortKernel to slices.Sort on distinct keys of every
// length it takes, both ways, and checks it touches nothing past v[:n].
func TestSortKernel(t *testing.T) {
	if sortKernel == nil {
		t.Skip("no sort kernel on this CPU")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= maxSortKernel; n++ {
		for _, flip := range []uint64{0, ^uint64(0)} {
			for rep := range 20 {
				buf := make([]uint64, n+8)
				seen := map[uint64]bool{}
				for i := 0; i < n; {
					k := r.Uint64()
					switch rep % 3 { // small ranges, top bits shared, extremes
					case 0:
						k %= uint64(2 * maxSortKernel)
					case 1:
						k = k&0xffff | 0x3f000000<<32
					}
					if i == 0 && rep == 5 {
						k = ^uint64(0) - 1
					}
					if !seen[k] {
						seen[k] = true
						buf[i] = k
						i++
					}
				}
				for i := n; i < len(buf); i++ {
					buf[i] = 0xdead
				}
				want := slices.Clone(buf[:n])
				slices.SortFunc(want, func(a, b uint64) int {
					a, b = a^flip, b^flip
					if a < b {
						return -1
					}
					if a > b {
						return 1
					}
					return 0
				})
				sortKernel(buf[:n], flip)
				if !slices.Equal(buf[:n], want) {
					t.Fatalf("n=%d flip=%x: got %x, want %x", n, flip, buf[:n], want)
				}
				for i := n; i < len(buf); i++ {
					if buf[i] != 0xdead {
						t.Fatalf("n=%d: wrote past n at %d", n, i)
					}
				}
			}
		}
	}
}
