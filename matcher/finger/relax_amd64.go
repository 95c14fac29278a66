package finger

import "golang.org/x/sys/cpu"

// relaxCompatAVX512 is relaxKernel for AVX-512: 16 pairs j at a time.
//
//go:noescape
func relaxCompatAVX512(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64, consts *uint32, distTab, angleTab *float32)

// relaxIterAVX512 is relaxRounds for AVX-512: the relaxation rounds over
// the symmetric matrix rho.
//
//go:noescape
func relaxIterAVX512(rho *[relaxMax][relaxMax]float32, lam *[relaxMax]float32, n, iters int, w, w1, n1 float32)

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasBMI2 {
		relaxKernel = func(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64) {
			relaxCompatAVX512(in, min(n, relaxMax), rho, nz, &relaxConsts[0], &distTab[0], &angleTab[0])
		}
		relaxRounds = func(rho *[relaxMax][relaxMax]float32, lam *[relaxMax]float32, n int) {
			relaxIterAVX512(rho, lam, min(n, relaxMax), relaxIters, relaxW, 1-relaxW, float32(n-1))
		}
	} else if hasAVX2 {
		setRelaxAVX2()
	}
}
