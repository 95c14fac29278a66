package finger

import "golang.org/x/sys/cpu"

// relaxCompatAVX512 is relaxKernel for AVX-512: 16 pairs j at a time.
//
//go:noescape
func relaxCompatAVX512(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64, consts *uint32, distTab, angleTab *float32)

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ {
		relaxKernel = func(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64) {
			relaxCompatAVX512(in, min(n, relaxMax), rho, nz, &relaxConsts[0], &distTab[0], &angleTab[0])
		}
	}
}
