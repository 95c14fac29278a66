package finger

import (
	"math"
	"unsafe"
)

// relaxIn is relax's input for the compatibility kernel: the candidate
// pairs' minutiae side by side (A then B) and which minutiae they are.
// Offsets are fixed in relax_amd64.s.
type relaxIn struct {
	AX, AY, AD, BX, BY, BD [relaxMax]float32
	PA, PB                 [relaxMax]int32
	// Q is the AVX-512 and AVX2 kernels' working memory: the pairs that
	// pass the distance test wait here, 16 (8) at a time, for their
	// angles.
	Q [10][32]float32
}

var _ [0]struct{} = [unsafe.Sizeof(relaxIn{}) - 3328]struct{}{}

// relaxMax is the most candidate pairs the kernel's arrays hold.
const relaxMax = 64

// relaxConsts are the constants of relax's compatibility functions, as
// float32 (or int32) the way Go rounds them in those expressions, and
// the lane numbers 0–15. Offsets are fixed in relax_amd64.s.
var relaxConsts = func() (c [32]uint32) {
	f := math.Float32bits
	copy(c[:], []uint32{
		f(distSteps), f(0.5), uint32(distNonZero), f(angleSteps / math.Pi),
		angleSteps, f(math.Pi), f(2 * math.Pi), f(-math.Pi),
		f(math.Pi / 2), f(math.Pi / 4), f(0.273), f(1),
		0x7fffffff, 0x80000000, f(distStretch),
	})
	for i := range 16 {
		c[16+i] = uint32(i)
	}
	return c
}()

// distNonZero is the number of leading non-zero entries of distTab (the
// sigmoid only falls, so all the others are zero): a lookup at or beyond
// it is zero without reading the table.
var distNonZero = func() int {
	for i, v := range distTab {
		if v == 0 {
			return i
		}
	}
	return len(distTab)
}()

// relaxKernel, when not nil, fills rho (rows below n ≤ relaxMax, columns
// below 16·⌈n/16⌉) with the symmetric compatibility matrix of the candidate
// pairs, zero on the diagonal and past n, and sets nz[i] to the columns
// of row i that are not zero. Set by relax_amd64.go where the CPU can run
// it.
var relaxKernel func(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64)

// relaxRounds, when not nil, runs the relaxation rounds on lam (the first
// n entries) over rho, which must then be symmetric and zero wherever nz
// has no bit, for the first 16·⌈n/16⌉ columns of the first n rows. Set by
// relax_amd64.go with relaxKernel.
var relaxRounds func(rho *[relaxMax][relaxMax]float32, lam *[relaxMax]float32, n int)

// relaxCompatGo is the portable compatibility matrix, the relaxation's
// own code pair by pair; tests hold the kernel to it.
func relaxCompatGo(in *relaxIn, n int, rho *[relaxMax][relaxMax]float32, nz *[relaxMax]uint64) {
	*rho = [relaxMax][relaxMax]float32{}
	*nz = [relaxMax]uint64{}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if r := compat(in, i, j); r != 0 {
				rho[i][j] = r
				nz[i] |= 1 << j
			}
		}
	}
}

// compat is MCC's ρ for candidate pairs i and j: how well the distance
// and the two angles between their minutiae agree in both templates.
func compat(in *relaxIn, i, j int) float32 {
	if in.PA[i] == in.PA[j] || in.PB[i] == in.PB[j] {
		return 0 // one minutia cannot match two
	}
	dxa, dya := in.AX[j]-in.AX[i], in.AY[j]-in.AY[i]
	dxb, dyb := in.BX[j]-in.BX[i], in.BY[j]-in.BY[i]
	da := float32(math.Sqrt(float64(dxa*dxa + dya*dya)))
	db := float32(math.Sqrt(float64(dxb*dxb + dyb*dyb)))
	d1 := distCompat(abs32(da-db) / (1 + (da+db)*distStretch))
	if d1 == 0 {
		return 0
	}
	// Signed differences, as in MCC: with absolute ones a mirrored
	// constellation would look compatible.
	d2 := angleCompat(angleDiff32(wrap32(in.AD[i]-in.AD[j]), wrap32(in.BD[i]-in.BD[j])))
	ra, rb := atan2f(dya, dxa), atan2f(dyb, dxb)
	d3 := angleCompat(angleDiff32(wrap32(in.AD[i]-ra), wrap32(in.BD[i]-rb)))
	return d1 * d2 * d3
}
