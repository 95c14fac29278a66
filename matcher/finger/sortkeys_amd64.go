package finger

import "golang.org/x/sys/cpu"

// sortKeysAVX512 is sortKernel for AVX-512.
//
//go:noescape
func sortKeysAVX512(v *uint64, n int, flip uint64)

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasBMI2 {
		sortKernel = func(v []uint64, flip uint64) {
			if len(v) > 0 {
				sortKeysAVX512(&v[0], min(len(v), maxSortKernel), flip)
			}
		}
	} else if hasAVX2 {
		setSortAVX2()
	}
}
