package finger

import "golang.org/x/sys/cpu"

// consPairsAVX512 is consKernel for AVX-512.
//
//go:noescape
func consPairsAVX512(in *consIn, na, nb int, hi, lo *uint32, max int, consts *uint32) int

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ {
		consKernel = func(in *consIn, na, nb int, hi, lo *[consOut]uint32) int {
			return consPairsAVX512(in, na, nb, &hi[0], &lo[0], consCap, &consConsts[0])
		}
	}
}
