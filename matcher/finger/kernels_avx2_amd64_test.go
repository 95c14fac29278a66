package finger

// useAVX2Kernels installs the kernels a CPU with AVX2 but without AVX-512
// gets, so that this machine's tests and benchmarks can run them, and
// returns the function that puts back the kernels installed before; ok
// is false where the CPU has no AVX2.
func useAVX2Kernels() (restore func(), ok bool) {
	if !hasAVX2 {
		return nil, false
	}
	restoreKernels() // SetKernels(true) must still bring back init's set
	restore = saveKernels()
	SetKernels(false)
	setRowAVX2()
	setRelaxAVX2()
	setConsAVX2()
	setSortAVX2()
	return restore, true
}
