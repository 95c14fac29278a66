// Package camera captures portrait frames from V4L2 webcams, video files,
// image sequences and streams (through gocv), and from a synthetic source
// for tests and demo mode.
//
// Every Source delivers frames through a one-slot mailbox: when the
// consumer is slower than the camera, the older frame is dropped and the
// newest kept, so a busy UI never builds a queue and never sees stale
// pictures. Frames carry the time they were read.
package camera

import (
	"errors"
	"image"
	"sync"
	"sync/atomic"
	"time"
)

// Frame is one captured picture.
type Frame struct {
	// Image holds the pixels (RGBA, origin at 0,0).
	Image *image.RGBA
	// Seq counts frames read since Open, from 1; gaps show dropped frames.
	Seq uint64
	// Time is when the frame was read from the device.
	Time time.Time
	// Simulated marks frames from the synthetic source or demo files.
	Simulated bool
}

// Info describes an opened source.
type Info struct {
	// Name is the device path, file name or "synthetic".
	Name string `json:"name"`
	// Backend is the capture backend (V4L2, FFMPEG, synthetic).
	Backend string `json:"backend"`
	// Width, Height and FPS are what the source negotiated.
	Width  int     `json:"width"`
	Height int     `json:"height"`
	FPS    float64 `json:"fps"`
	// FourCC is the pixel format, e.g. "MJPG" or "YUYV".
	FourCC string `json:"fourcc,omitempty"`
	// Exposure and Focus are the driver's values (NaN or 0 when unknown).
	Exposure float64 `json:"exposure"`
	Focus    float64 `json:"focus"`
	// Simulated marks synthetic and demo sources.
	Simulated bool `json:"simulated"`
}

// Source is a camera or a camera stand-in.
type Source interface {
	// Open starts capturing. A closed source may be opened again.
	Open() error
	// Frames returns the mailbox of the current session; it is closed
	// when the session ends (Close, end of file, device error).
	Frames() <-chan Frame
	// Info describes the source as negotiated at Open.
	Info() Info
	// Err returns why the last session ended, nil after Close or a clean
	// end of file.
	Err() error
	// Dropped returns how many frames the mailbox dropped because the
	// consumer was slower than the source.
	Dropped() uint64
	// Close stops capturing and waits for the reader to stop.
	Close() error
}

// ErrStalled is returned when a device stops delivering frames.
var ErrStalled = errors.New("camera: no frame from the device")

// ErrEndOfStream ends sessions of files and sequences that are not looped.
var ErrEndOfStream = errors.New("camera: end of stream")

// grabber is one capture backend: open, read frames one by one, close.
// grab blocks until a frame is read.
type grabber interface {
	open() (Info, error)
	grab() (*image.RGBA, error)
	close() error
}

// session runs one grabber in a goroutine and publishes frames to a
// one-slot mailbox.
type session struct {
	g         grabber
	simulated bool

	mu      sync.Mutex
	info    Info
	frames  chan Frame
	stop    chan struct{}
	done    chan struct{}
	err     error
	dropped atomic.Uint64
	running bool
}

func (s *session) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return errors.New("camera: already open")
	}
	info, err := s.g.open()
	if err != nil {
		return err
	}
	info.Simulated = info.Simulated || s.simulated
	s.info = info
	s.frames = make(chan Frame, 1)
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	s.err = nil
	s.running = true
	go s.run(s.frames, s.stop, s.done)
	return nil
}

func (s *session) run(frames chan Frame, stop, done chan struct{}) {
	defer close(done)
	defer close(frames)
	var seq uint64
	for {
		select {
		case <-stop:
			return
		default:
		}
		img, err := s.g.grab()
		if err != nil {
			if !errors.Is(err, ErrEndOfStream) {
				s.mu.Lock()
				s.err = err
				s.mu.Unlock()
			}
			return
		}
		seq++
		publish(frames, Frame{Image: img, Seq: seq, Time: time.Now(), Simulated: s.info.Simulated}, &s.dropped)
	}
}

// publish puts f in the one-slot mailbox, dropping the frame already
// waiting there. Only the session goroutine sends, so this terminates.
func publish(ch chan Frame, f Frame, dropped *atomic.Uint64) {
	for {
		select {
		case ch <- f:
			return
		default:
			select {
			case <-ch:
				dropped.Add(1)
			default:
			}
		}
	}
}

func (s *session) Frames() <-chan Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frames == nil {
		c := make(chan Frame)
		close(c)
		return c
	}
	return s.frames
}

func (s *session) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info
}

func (s *session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *session) Dropped() uint64 { return s.dropped.Load() }

// closeWait bounds how long Close waits for a grab in progress: a V4L2
// read returns within OpenCV's select timeout, a file read at once.
const closeWait = 12 * time.Second

func (s *session) Close() error {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = false
	close(s.stop)
	done := s.done
	s.mu.Unlock()
	select {
	case <-done:
	case <-time.After(closeWait):
		return errors.New("camera: reader did not stop: device stalled inside the driver")
	}
	return s.g.close()
}
