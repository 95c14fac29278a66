package eval

import (
	"runtime"
	"time"
)

// A cpuClock measures the CPU time of one goroutine, locked to its OS
// thread while the clock runs, so that speed is per core-second: on a
// machine shared with other work, wall time also counts the time the core
// spent on someone else. Where the system cannot tell a thread's CPU time
// it falls back to wall time.
type cpuClock struct {
	wall    time.Time
	cpu     time.Duration
	ok      bool
	process bool
}

// startCPUClock locks the calling goroutine to its thread and starts a
// clock; stop unlocks it.
func startCPUClock() *cpuClock {
	runtime.LockOSThread()
	c := &cpuClock{wall: time.Now()}
	c.cpu, c.ok = threadCPU()
	return c
}

// startProcessClock starts a clock of the whole process's CPU time, for
// work that runs on goroutines of its own (Index.Search splits large
// indexes): it measures that work alone only while nothing else runs.
func startProcessClock() *cpuClock {
	c := &cpuClock{wall: time.Now(), process: true}
	c.cpu, c.ok = processCPU()
	return c
}

// elapsed returns the CPU time since the start (wall time without a
// thread clock).
func (c *cpuClock) elapsed() time.Duration {
	clock := threadCPU
	if c.process {
		clock = processCPU
	}
	if c.ok {
		if now, ok := clock(); ok {
			return now - c.cpu
		}
	}
	return time.Since(c.wall)
}

// wallElapsed returns the wall time since the start.
func (c *cpuClock) wallElapsed() time.Duration { return time.Since(c.wall) }

// stop unlocks the goroutine from its thread.
func (c *cpuClock) stop() {
	if !c.process {
		runtime.UnlockOSThread()
	}
}
