package faceindex

import (
	"fmt"
	"sort"
)

// A kernel computes, for each of the len(out) int8 codes stored back to back
// in base, the squared Euclidean distance to the query code q, exactly, in
// int32 (at most 128·254² < 2³¹).
type kernel struct {
	name string
	fn   func(q, base []int8, out []int32)
}

var (
	kernels    = map[string]kernel{"go": {"go", sqDistsGo}}
	bestKernel = "go"
)

// registerKernel is called by the CPU-specific files' init when the running
// CPU has the instructions; a later call with a higher rank wins "best".
func registerKernel(k kernel, best bool) {
	kernels[k.name] = k
	if best {
		bestKernel = k.name
	}
}

// Kernels lists the distance kernels usable on this CPU, e.g. ["avx2" "go"].
// The pure-Go kernel is always present.
func Kernels() []string {
	names := make([]string, 0, len(kernels))
	for n := range kernels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BestKernel names the kernel New picks when Options.Kernel is empty.
func BestKernel() string { return bestKernel }

func lookupKernel(name string) (kernel, error) {
	if name == "" {
		name = bestKernel
	}
	k, ok := kernels[name]
	if !ok {
		return kernel{}, fmt.Errorf("face index: kernel %q not available on this CPU (have %v)", name, Kernels())
	}
	return k, nil
}

// sqDistsGo is the portable kernel.
func sqDistsGo(q, base []int8, out []int32) {
	q = q[:Dim]
	for j := range out {
		v := base[j*Dim : j*Dim+Dim : j*Dim+Dim]
		var s0, s1 int32
		for i := 0; i < Dim; i += 2 {
			d0 := int32(v[i]) - int32(q[i])
			d1 := int32(v[i+1]) - int32(q[i+1])
			s0 += d0 * d0
			s1 += d1 * d1
		}
		out[j] = s0 + s1
	}
}
