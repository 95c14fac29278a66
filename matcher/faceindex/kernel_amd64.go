package faceindex

import "golang.org/x/sys/cpu"

// The assembly kernels take raw pointers: base holds n codes of Dim bytes,
// out n int32.
//
//go:noescape
func sqDistsAVX2(q, base *int8, n int, out *int32)

//go:noescape
func sqDistsAVX512(q, base *int8, n int, out *int32)

//go:noescape
func memReadAVX2(p *byte, n int) uint64

// AVX2 is the default even where AVX-512 VNNI exists: at 1 M descriptors,
// where search time matters, the scan is memory-bound and the AVX2 kernel
// measured faster (5.6 vs 9.2 ms); AVX-512 only wins while the codes fit in
// cache, where a search takes well under a millisecond either way.
func init() {
	if cpu.X86.HasAVX2 {
		registerKernel(kernel{"avx2", func(q, base []int8, out []int32) {
			if len(out) == 0 {
				return
			}
			_ = base[len(out)*Dim-1]
			sqDistsAVX2(&q[0], &base[0], len(out), &out[0])
		}}, true)
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI {
		registerKernel(kernel{"avx512vnni", func(q, base []int8, out []int32) {
			if len(out) == 0 {
				return
			}
			_ = base[len(out)*Dim-1]
			sqDistsAVX512(&q[0], &base[0], len(out), &out[0])
		}}, !cpu.X86.HasAVX2)
	}
}

// memRead reads every byte of b with wide loads and returns a value that
// depends on all of them, so that the benchmark of the machine's read
// bandwidth cannot be optimised away. Only whole 128-byte blocks are read.
func memRead(b []byte) uint64 {
	n := len(b) / 128
	if n == 0 || !cpu.X86.HasAVX2 {
		return memReadGo(b)
	}
	return memReadAVX2(&b[0], n)
}
