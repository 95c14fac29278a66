package eval

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU returns the CPU time (user and system) of the calling thread.
func threadCPU() (time.Duration, bool) { return rusage(unix.RUSAGE_THREAD) }

// processCPU returns the CPU time (user and system) of the process.
func processCPU() (time.Duration, bool) { return rusage(unix.RUSAGE_SELF) }

func rusage(who int) (time.Duration, bool) {
	var ru unix.Rusage
	if err := unix.Getrusage(who, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
