package uru4000

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

// Timeouts of the driver. libfprint uses 5 s for transfers; a desk
// scanner answers in milliseconds, and a technician should not wait 5 s
// to learn that it is stuck.
const (
	ControlTimeout = 1 * time.Second
	FrameTimeout   = 2 * time.Second
	PowerIRQWait   = 300 * time.Millisecond
	powerAttempts  = 3
	hwstatPolls    = 100
	hwstatPause    = 10 * time.Millisecond
	badFrameLimit  = 5
)

// Scanner is an opened U.are.U 4000-family scanner. It implements
// finger.Scanner.
type Scanner struct {
	dev    usbdev.Device
	intf   usbdev.Interface
	irqEP  usbdev.InEndpoint
	dataEP usbdev.InEndpoint
	model  Model
	info   finger.Info

	life    context.Context
	stop    context.CancelFunc
	irq     chan uint16
	irqDone chan struct{}

	capMu sync.Mutex // one capture or preview at a time

	mu       sync.Mutex
	fingerOn bool
	fault    error // sticky: disconnected or faulty
	closed   bool
	rng      *rand.Rand
}

var _ finger.Scanner = (*Scanner)(nil)

// Supported reports whether the driver handles a device with these IDs.
func Supported(vid, pid uint16) bool {
	m, ok := Lookup(vid, pid)
	return ok && !m.ChallengeResponse
}

// Open opens the scanner at info's bus address on bus and powers it up.
func Open(ctx context.Context, bus usbdev.Bus, info usbdev.DeviceInfo) (*Scanner, error) {
	dev, err := bus.Open(ctx, info.Bus, info.Address)
	if err != nil {
		return nil, fmt.Errorf("uru4000: %w", err)
	}
	s, err := OpenDevice(ctx, dev)
	if err != nil {
		dev.Close()
		return nil, err
	}
	return s, nil
}

// OpenDevice takes over an opened USB device and powers the sensor up.
// On error the caller still owns dev.
func OpenDevice(ctx context.Context, dev usbdev.Device) (*Scanner, error) {
	di := dev.Info()
	model, ok := Lookup(di.VendorID, di.ProductID)
	if !ok {
		return nil, fmt.Errorf("uru4000: %s is not a U.are.U 4000-family device", di.ID())
	}
	if model.ChallengeResponse {
		return nil, fmt.Errorf("uru4000: %s (%s) needs AES challenge-response authentication, which this driver does not implement", model.Name, di.ID())
	}
	cfg, in, err := findInterface(di)
	if err != nil {
		return nil, fmt.Errorf("uru4000: %s: %w", di.ID(), err)
	}
	intf, err := dev.Claim(cfg, in, 0)
	if err != nil {
		return nil, fmt.Errorf("uru4000: %w", err)
	}
	irqEP, err := intf.In(EPIntr)
	if err == nil {
		var dataEP usbdev.InEndpoint
		dataEP, err = intf.In(EPData)
		if err == nil {
			s := &Scanner{
				dev: dev, intf: intf, irqEP: irqEP, dataEP: dataEP, model: model,
				irq: make(chan uint16, 16), irqDone: make(chan struct{}),
				rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x5ca1ab1e)),
				info: finger.Info{Driver: "uru4000", Model: model.Name,
					VendorID: di.VendorID, ProductID: di.ProductID, Serial: di.Serial,
					Width: Width, Height: Height, PPI: defaultPPI, Simulated: di.Simulated},
			}
			s.life, s.stop = context.WithCancel(context.Background())
			go s.readIRQs()
			if err := s.powerUp(ctx); err != nil {
				s.stop()
				<-s.irqDone
				intf.Release()
				return nil, s.classify(ctx, "power up", err)
			}
			return s, nil
		}
	}
	intf.Release()
	return nil, fmt.Errorf("uru4000: %w", err)
}

// findInterface locates the vendor interface (ff/ff/ff) with the interrupt
// and bulk endpoints the protocol expects.
func findInterface(di usbdev.DeviceInfo) (cfg, intf int, err error) {
	for _, c := range di.Configs {
		for _, in := range c.Interfaces {
			if in.Class != 0xff || in.SubClass != 0xff || in.Protocol != 0xff || in.Alternate != 0 {
				continue
			}
			if len(in.Endpoints) != 2 ||
				in.Endpoints[0].Address != EPIntr || in.Endpoints[0].Type != "interrupt" ||
				in.Endpoints[1].Address != EPData || in.Endpoints[1].Type != "bulk" {
				return 0, 0, fmt.Errorf("vendor interface %d has unexpected endpoints %+v", in.Number, in.Endpoints)
			}
			return c.Number, in.Number, nil
		}
	}
	return 0, 0, errors.New("no vendor interface ff/ff/ff in the descriptors")
}

// Info implements finger.Scanner.
func (s *Scanner) Info() finger.Info { return s.info }

// FingerPresent implements finger.Scanner.
func (s *Scanner) FingerPresent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fingerOn
}

// Fault returns the sticky error that made the scanner unusable, or nil.
func (s *Scanner) Fault() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fault
}

func (s *Scanner) setFault(err error) {
	s.mu.Lock()
	if s.fault == nil {
		s.fault = err
	}
	s.mu.Unlock()
}

// readIRQs reads notifications until Close or the device goes. It is the
// only reader of the interrupt endpoint.
func (s *Scanner) readIRQs() {
	defer close(s.irqDone)
	buf := make([]byte, IRQLength)
	for {
		n, err := s.irqEP.ReadContext(s.life, buf)
		if err != nil {
			if s.life.Err() != nil {
				return
			}
			if errors.Is(err, usbdev.ErrNoDevice) {
				s.setFault(fmt.Errorf("%w: interrupt endpoint: %v", finger.ErrDisconnected, err))
			} else {
				s.setFault(fmt.Errorf("%w: interrupt endpoint: %v", finger.ErrFaulty, err))
			}
			return
		}
		if n < 2 {
			continue
		}
		typ := binary.BigEndian.Uint16(buf)
		s.mu.Lock()
		switch typ {
		case IRQFingerOn:
			s.fingerOn = true
		case IRQFingerOff:
			s.fingerOn = false
		}
		s.mu.Unlock()
		select {
		case s.irq <- typ:
		default: // nobody waiting: keep the newest
			select {
			case <-s.irq:
			default:
			}
			s.irq <- typ
		}
	}
}

func (s *Scanner) drainIRQs() {
	for {
		select {
		case <-s.irq:
		default:
			return
		}
	}
}

// waitIRQ waits for notification want.
func (s *Scanner) waitIRQ(ctx context.Context, want uint16) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.irqDone:
			if err := s.Fault(); err != nil {
				return err
			}
			return finger.ErrClosed
		case t := <-s.irq:
			if t == want {
				return nil
			}
		}
	}
}

func (s *Scanner) readRegs(ctx context.Context, reg uint16, n int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ControlTimeout)
	defer cancel()
	buf := make([]byte, n)
	got, err := s.dev.Control(ctx, ctrlIn, usbRequest, reg, 0, buf)
	if err != nil {
		return nil, fmt.Errorf("read register 0x%02x: %w", reg, err)
	}
	if got != n {
		return nil, fmt.Errorf("read register 0x%02x: %d bytes, want %d", reg, got, n)
	}
	return buf, nil
}

func (s *Scanner) writeRegs(ctx context.Context, reg uint16, vals ...byte) error {
	ctx, cancel := context.WithTimeout(ctx, ControlTimeout)
	defer cancel()
	got, err := s.dev.Control(ctx, ctrlOut, usbRequest, reg, 0, vals)
	if err != nil {
		return fmt.Errorf("write register 0x%02x: %w", reg, err)
	}
	if got != len(vals) {
		return fmt.Errorf("write register 0x%02x: %d bytes accepted, want %d", reg, got, len(vals))
	}
	return nil
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// powerUp brings the sensor out of low-power mode: fix a confused HWSTAT
// (bits 7 and 2 set), force low power (bit 7), clear bit 7 until it reads
// back clear, then wait for the scan-power-on notification. The
// notification sometimes never comes: retry the sequence three times.
func (s *Scanner) powerUp(ctx context.Context) error {
	var lastErr error
	for attempt := 0; attempt < powerAttempts; attempt++ {
		s.drainIRQs()
		b, err := s.readRegs(ctx, RegHWStat, 1)
		if err != nil {
			return err
		}
		hw := b[0]
		if hw&0x84 == 0x84 {
			if hw, err = s.rebootPower(ctx, hw); err != nil {
				return err
			}
		}
		if hw&0x80 == 0 {
			hw |= 0x80
			if err := s.writeRegs(ctx, RegHWStat, hw); err != nil {
				return err
			}
		}
		up := false
		for i := 0; i < hwstatPolls && !up; i++ {
			if err := s.writeRegs(ctx, RegHWStat, hw&0x0f); err != nil {
				return err
			}
			b, err := s.readRegs(ctx, RegHWStat, 1)
			if err != nil {
				return err
			}
			if b[0]&0x80 == 0 {
				up = true
				break
			}
			if err := pause(ctx, hwstatPause); err != nil {
				return err
			}
		}
		if !up {
			return fmt.Errorf("%w: HWSTAT bit 7 stays set: sensor will not leave low-power mode", finger.ErrFaulty)
		}
		wctx, cancel := context.WithTimeout(ctx, PowerIRQWait)
		err = s.waitIRQ(wctx, IRQScanPowerOn)
		cancel()
		if err == nil {
			return s.readDeviceInfo(ctx)
		}
		if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		lastErr = err
	}
	return fmt.Errorf("%w: %w: no scan-power-on notification (0x56aa) after %d attempts (%v)",
		finger.ErrFaulty, finger.ErrTimeout, powerAttempts, lastErr)
}

func (s *Scanner) rebootPower(ctx context.Context, hw byte) (byte, error) {
	if err := s.writeRegs(ctx, RegHWStat, hw&0x0f); err != nil {
		return hw, err
	}
	for i := 0; i < hwstatPolls; i++ {
		b, err := s.readRegs(ctx, RegHWStat, 1)
		if err != nil {
			return hw, err
		}
		if b[0]&0x01 != 0 {
			return b[0], nil
		}
		if err := pause(ctx, hwstatPause); err != nil {
			return hw, err
		}
	}
	return hw, fmt.Errorf("%w: could not reset sensor power (HWSTAT bit 0 never set)", finger.ErrFaulty)
}

func (s *Scanner) readDeviceInfo(ctx context.Context) error {
	b, err := s.readRegs(ctx, RegDeviceInfo, 16)
	if err != nil {
		return err
	}
	s.info.Firmware = fmt.Sprintf("%02x%02x/%02x%02x", b[10], b[11], b[4], b[5])
	return nil
}

// classify turns a low-level error into the finger package's errors and
// marks the scanner faulty or disconnected where that is the cause.
func (s *Scanner) classify(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, finger.ErrDisconnected), errors.Is(err, finger.ErrFaulty),
		errors.Is(err, finger.ErrClosed):
	case errors.Is(err, usbdev.ErrNoDevice):
		err = fmt.Errorf("%w: %v", finger.ErrDisconnected, err)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("uru4000: %s: %w", op, finger.ErrCancelled)
	case errors.Is(err, usbdev.ErrTimeout), errors.Is(err, usbdev.ErrStall):
		err = fmt.Errorf("%w: %w: the scanner stopped answering: %v", finger.ErrFaulty, finger.ErrTimeout, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("uru4000: %s: %w", op, finger.ErrTimeout)
	default:
		err = fmt.Errorf("%w: %v", finger.ErrFaulty, err)
	}
	if !errors.Is(err, finger.ErrClosed) {
		s.setFault(err)
	}
	return fmt.Errorf("uru4000: %s: %w", op, err)
}

func (s *Scanner) ready() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return finger.ErrClosed
	}
	return s.fault
}

// Capture implements finger.Scanner.
func (s *Scanner) Capture(ctx context.Context, opts finger.CaptureOptions) (*finger.Image, error) {
	s.capMu.Lock()
	defer s.capMu.Unlock()
	if err := s.ready(); err != nil {
		return nil, fmt.Errorf("uru4000: capture: %w", err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = finger.DefaultCaptureTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer context.AfterFunc(s.life, cancel)() // Close aborts the capture
	if !opts.Unconditional {
		s.drainIRQs()
		if err := s.writeRegs(ctx, RegMode, ModeAwaitFingerOn); err != nil {
			return nil, s.classify(ctx, "await finger", err)
		}
		if err := s.waitIRQ(ctx, IRQFingerOn); err != nil {
			s.idle()
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("uru4000: no finger placed within %v: %w", timeout, finger.ErrTimeout)
			}
			return nil, s.classify(ctx, "await finger", err)
		}
	}
	if err := s.writeRegs(ctx, RegMode, ModeCapture); err != nil {
		return nil, s.classify(ctx, "start capture", err)
	}
	img, err := s.nextImage(ctx)
	if err != nil {
		s.idle()
		return nil, s.classify(ctx, "capture", err)
	}
	if err := s.writeRegs(ctx, RegMode, ModeAwaitFingerOff); err != nil {
		return nil, s.classify(ctx, "end capture", err)
	}
	return img, nil
}

// idle puts the sensor back to finger-off wait after an aborted capture,
// best effort and bounded, so a stuck device cannot hang the caller.
func (s *Scanner) idle() {
	if s.ready() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_ = s.writeRegs(ctx, RegMode, ModeAwaitFingerOff)
}

// Preview implements finger.Scanner: the sensor stays in capture mode and
// each frame is handed to fn.
func (s *Scanner) Preview(ctx context.Context, fn func(*finger.Image) bool) error {
	s.capMu.Lock()
	defer s.capMu.Unlock()
	if err := s.ready(); err != nil {
		return fmt.Errorf("uru4000: preview: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.life, cancel)()
	if err := s.writeRegs(ctx, RegMode, ModeCapture); err != nil {
		return s.classify(ctx, "preview", err)
	}
	defer s.idle()
	for {
		img, err := s.nextImage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return s.classify(ctx, "preview", err)
		}
		if !fn(img) {
			return nil
		}
	}
}

// nextImage reads frames until one decodes, tolerating a few malformed
// ones as libfprint does (it simply re-reads).
func (s *Scanner) nextImage(ctx context.Context) (*finger.Image, error) {
	buf := make([]byte, FrameLen)
	var lastErr error
	for bad := 0; bad < badFrameLimit; bad++ {
		fctx, cancel := context.WithTimeout(ctx, FrameTimeout)
		n, err := s.dataEP.ReadContext(fctx, buf)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("%w: no image frame within %v", usbdev.ErrTimeout, FrameTimeout)
			}
			return nil, fmt.Errorf("read frame: %w", err)
		}
		at := time.Now()
		g, err := s.decodeFrame(ctx, buf[:n])
		if err != nil {
			if errors.Is(err, usbdev.ErrNoDevice) || errors.Is(err, usbdev.ErrTimeout) || ctx.Err() != nil {
				return nil, err
			}
			lastErr = err
			continue
		}
		return &finger.Image{Gray: g, PPI: defaultPPI, Captured: at, Simulated: s.info.Simulated}, nil
	}
	return nil, fmt.Errorf("malformed image frames from the device (%d in a row), last: %w", badFrameLimit, lastErr)
}

// decodeFrame parses, descrambles and assembles one frame.
func (s *Scanner) decodeFrame(ctx context.Context, frame []byte) (*image.Gray, error) {
	h, err := parseHeader(frame)
	if err != nil {
		return nil, err
	}
	data := frame[HeaderLen : HeaderLen+h.lines*Width]
	if s.model.Scrambled || lineVariance(h, data) >= encThresh {
		if err := s.descrambleBlocks(ctx, &h, data); err != nil {
			return nil, err
		}
	}
	g := image.NewGray(image.Rect(0, 0, Width, Height))
	to, r := 0, 0
	for _, b := range h.blocks {
		if r >= h.lines || b.lines == 0 || to >= Height {
			break
		}
		n := min(int(b.lines), Height-to, h.lines-r)
		copy(g.Pix[to*Width:(to+n)*Width], data[r*Width:(r+n)*Width])
		if b.flags&BlockNotPresent == 0 {
			r += n
		}
		to += int(b.lines)
	}
	if r < h.lines {
		return nil, fmt.Errorf("frame blocks cover %d of %d lines", r, h.lines)
	}
	// The sensor sends ridges bright; non-scrambling models also mount
	// the sensor rotated by 180°.
	flip := !s.model.Scrambled
	for i, p := range g.Pix {
		g.Pix[i] = 0xff - p
	}
	if flip {
		for i, j := 0, len(g.Pix)-1; i < j; i, j = i+1, j-1 {
			g.Pix[i], g.Pix[j] = g.Pix[j], g.Pix[i]
		}
	}
	return g, nil
}

// fetchKey asks the device for the keystream key of key number num, using
// a fresh random seed so the key never crosses the bus in clear.
func (s *Scanner) fetchKey(ctx context.Context, num uint8) (uint32, error) {
	s.mu.Lock()
	seed := s.rng.Uint32()
	s.mu.Unlock()
	var idx [5]byte
	idx[0] = num
	binary.LittleEndian.PutUint32(idx[1:], seed)
	if err := s.writeRegs(ctx, RegScrambleIndex, idx[:]...); err != nil {
		return 0, err
	}
	b, err := s.readRegs(ctx, RegScrambleKey, 4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b) ^ seed, nil
}

func (s *Scanner) descrambleBlocks(ctx context.Context, h *header, data []byte) error {
	key, err := s.fetchKey(ctx, h.keyNum)
	if err != nil {
		return err
	}
	done := 0
	for i := 0; i < maxBlocks && done < h.lines; i++ {
		b := &h.blocks[i]
		if b.lines == 0 {
			break
		}
		if b.flags&BlockChangeKey != 0 {
			b.flags &^= BlockChangeKey
			h.keyNum++
			if key, err = s.fetchKey(ctx, h.keyNum); err != nil {
				return err
			}
		}
		n := int(b.lines) * Width
		switch b.flags & (BlockNoKeyUpdate | BlockEncrypted) {
		case BlockEncrypted:
			if (done*Width)+n > len(data) {
				return fmt.Errorf("scrambled block %d runs past the frame", i)
			}
			key = descramble(data[done*Width:done*Width+n], key)
		case 0:
			key = skipKey(key, n)
		}
		if b.flags&BlockNotPresent == 0 {
			done += int(b.lines)
		}
	}
	return nil
}

// Close implements finger.Scanner: the sensor is switched off and the
// device released. Close aborts a capture in progress.
func (s *Scanner) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	alive := s.fault == nil
	s.mu.Unlock()
	s.stop()
	<-s.irqDone
	if alive {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_ = s.writeRegs(ctx, RegMode, ModeOff)
		cancel()
	}
	s.intf.Release()
	return s.dev.Close()
}
