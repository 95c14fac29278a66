//go:build !amd64

package finger

// useAVX2Kernels has no AVX2 kernels to install off amd64.
func useAVX2Kernels() (restore func(), ok bool) { return nil, false }
