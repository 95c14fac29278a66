package finger

// sortKernel, when not nil, sorts the at most maxSortKernel distinct keys
// v in place, ascending in k XOR flip (flip = ^0 sorts descending). The
// comparison's few dozen candidates would otherwise take an insertion
// sort, whose branches the data decides. Set by sortkeys_amd64.go where
// the CPU can run it.
var sortKernel func(v []uint64, flip uint64)

// maxSortKernel is the most keys sortKernel sorts.
const maxSortKernel = 64
