package finger

import "golang.org/x/sys/cpu"

// simRowAVX512 is the row kernel for AVX-512 with VPOPCNTQ: the blocks
// whose bit is set (of at most 8), constants as rowConsts.
//
//go:noescape
func simRowAVX512(aLane *uint64, nvA, dirA float32, blk *cylBlock, blocks uint64, thr float32, out *float32, consts *float32, rowMax *float32) uint64

// geMasksAVX512 is geMasks for AVX-512.
//
//go:noescape
func geMasksAVX512(rows *float32, n int, t float32, masks *uint64)

// countGEAVX512 is countGE for AVX-512.
//
//go:noescape
func countGEAVX512(rows *float32, n int, t float32, nz *uint64) int

func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VPOPCNTDQ {
		rowKernel = func(a *Prepared, i int, blk []cylBlock, blocks uint8, thr float32, out *[64]float32) (uint64, float32) {
			if len(blk) == 0 {
				return 0, 0
			}
			var best float32
			q := a.slot[i]
			mask := simRowAVX512(&a.blk[q/8].Valid[q%8], float32(a.pos[i].NV), a.pos[i].Dir, &blk[0], uint64(blocks)&(1<<min(len(blk), 8)-1), thr, &out[0], &rowConsts[0], &best)
			return mask, best
		}
		geMasks = func(rows *[64][64]float32, n int, t float32, masks *[64]uint64) {
			geMasksAVX512(&rows[0][0], n, t, &masks[0])
		}
		countGE = func(rows *[64][64]float32, n int, t float32, nz *[64]uint64) int {
			return countGEAVX512(&rows[0][0], n, t, &nz[0])
		}
	} else if hasAVX2 {
		setRowAVX2()
	}
}
