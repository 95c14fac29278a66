package finger

import "golang.org/x/sys/cpu"

// consPairsAVX512 is consKernel for AVX-512.
//
//go:noescape
func consPairsAVX512(in *consIn, nb int, ar *consArea, out *uint64, max int, consts *uint32) int

// areaCountAVX512 is areaKernel for AVX-512.
//
//go:noescape
func areaCountAVX512(xs, ys *float32, n int, hull *edgeLine, nh int, w, h, neg float32) int

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasBMI2 {
		areaKernel = func(p *Prepared, xs, ys *[maxConsMin]float32, n int) int {
			var hull *edgeLine
			if len(p.hull) > 0 {
				hull = &p.hull[0]
			}
			return areaCountAVX512(&xs[0], &ys[0], n, hull, len(p.hull), p.w, p.h, -consMargin)
		}
		consKernel = func(in *consIn, nb int, a *consArea, out *[consOut]uint64) int {
			return consPairsAVX512(in, nb, a, &out[0], consCap, &consConsts[0])
		}
	} else if hasAVX2 {
		setConsAVX2()
	}
}
