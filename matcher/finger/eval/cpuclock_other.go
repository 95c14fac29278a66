//go:build !linux

package eval

import "time"

// threadCPU is not available here: clocks use wall time.
func threadCPU() (time.Duration, bool) { return 0, false }

// processCPU is not available here: clocks use wall time.
func processCPU() (time.Duration, bool) { return 0, false }
