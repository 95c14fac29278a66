package uru4000

import (
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"math/rand/v2"
	"sync"

	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

// SimFault selects a misbehaviour of the simulator.
type SimFault int

// Simulator faults.
const (
	// SimOK behaves like a healthy scanner.
	SimOK SimFault = iota
	// SimStall never answers: control and bulk transfers hang until the
	// host's deadline.
	SimStall
	// SimGarbage answers register reads and frames with random bytes.
	SimGarbage
	// SimNoPowerIRQ never sends the scan-power-on notification.
	SimNoPowerIRQ
)

// Sim is a U.are.U 4000B (or another family member) at the USB-transfer
// level: it keeps the registers, answers vendor control requests, sends
// notifications on 0x81 and image frames on 0x82 in the device's frame
// format, scrambled with the device's keystream on scrambling models.
// Plug it into a usbdev.SimBus.
type Sim struct {
	model  Model
	serial string

	mu       sync.Mutex
	images   []*image.Gray
	next     int
	current  *image.Gray
	fingerOn bool
	hwstat   byte
	confused bool
	mode     byte
	keyIdx   byte
	keySeed  uint32
	fault    SimFault
	frames   int
	rng      *rand.Rand
	irq      chan uint16
	modeCh   chan struct{} // closed and replaced on every mode change
}

// NewSim returns a simulated scanner of the given model serving images
// (any size: centre-cropped to 384×290). Without images it serves
// finger.SimImages.
func NewSim(m Model, serial string, images []*image.Gray) *Sim {
	if len(images) == 0 {
		images, _ = finger.SimImages(8)
	}
	return &Sim{
		model: m, serial: serial, images: images,
		hwstat: 0x84 &^ 0x04, // powered down after a clean shutdown
		rng:    rand.New(rand.NewPCG(uint64(len(serial)), 42)),
		irq:    make(chan uint16, 16),
		modeCh: make(chan struct{}),
	}
}

// NewSim4000B returns a simulated U.are.U 4000B/4500 (05ba:000a).
func NewSim4000B(serial string, images []*image.Gray) *Sim {
	m, _ := Lookup(0x05ba, 0x000a)
	return NewSim(m, serial, images)
}

// Descriptor implements usbdev.Gadget.
func (s *Sim) Descriptor() usbdev.DeviceInfo {
	return usbdev.DeviceInfo{
		Speed: "full", USBVersion: "1.10", DeviceVersion: "1.04",
		VendorID: s.model.VendorID, ProductID: s.model.ProductID,
		Manufacturer: "DigitalPersona, Inc.", Product: "U.are.U® Fingerprint Reader",
		Serial: s.serial,
		Configs: []usbdev.ConfigInfo{{Number: 1, MaxPowerMA: 100, Interfaces: []usbdev.InterfaceInfo{{
			Number: 0, Class: 0xff, SubClass: 0xff, Protocol: 0xff,
			Endpoints: []usbdev.EndpointInfo{
				{Address: EPIntr, Type: "interrupt", MaxPacketSize: 64},
				{Address: EPData, Type: "bulk", MaxPacketSize: 64},
			},
		}}}},
	}
}

// SetFault makes the simulator misbehave from now on.
func (s *Sim) SetFault(f SimFault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// SetHWStat sets the HWSTAT register, e.g. 0x85 for the confused state
// libfprint describes after an unclean shutdown.
func (s *Sim) SetHWStat(v byte) {
	s.mu.Lock()
	s.hwstat = v
	s.confused = v&0x84 == 0x84
	s.mu.Unlock()
}

// PlaceFinger puts a finger on the platen: the next image is served.
func (s *Sim) PlaceFinger() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = s.images[s.next%len(s.images)]
	s.next++
	s.fingerOn = true
	if s.mode == ModeAwaitFingerOn {
		s.notify(IRQFingerOn)
	}
}

// LiftFinger takes the finger away.
func (s *Sim) LiftFinger() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fingerOn = false
	if s.mode == ModeAwaitFingerOff {
		s.notify(IRQFingerOff)
	}
}

// Current returns the image on the platen (nil if none) as the host
// should reconstruct it: centre-cropped to 384×290.
func (s *Sim) Current() *image.Gray {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || !s.fingerOn {
		return nil
	}
	return finger.FitTo(s.current, Width, Height)
}

// Frames returns how many image frames were sent.
func (s *Sim) Frames() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames
}

// Mode returns the current REG_MODE value.
func (s *Sim) Mode() byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode
}

func (s *Sim) notify(t uint16) {
	select {
	case s.irq <- t:
	default:
	}
}

// secretKey is the simulated device's keystream key for a key number.
func secretKey(num byte) uint32 {
	k := uint32(num)*0x9e3779b9 ^ 0x5a17c0de
	if k == 0 {
		k = 1
	}
	return k
}

// Control implements usbdev.Gadget.
func (s *Sim) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	s.mu.Lock()
	fault := s.fault
	s.mu.Unlock()
	if fault == SimStall {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	if request != usbRequest || (rType != ctrlIn && rType != ctrlOut) {
		return 0, usbdev.ErrStall
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rType == ctrlIn {
		if fault == SimGarbage {
			for i := range data {
				data[i] = byte(s.rng.Uint32())
			}
			return len(data), nil
		}
		for i := range data {
			data[i] = 0
		}
		switch value {
		case RegHWStat:
			if len(data) > 0 {
				data[0] = s.hwstat
			}
		case RegMode:
			if len(data) > 0 {
				data[0] = s.mode
			}
		case RegScrambleKey:
			if len(data) >= 4 {
				binary.LittleEndian.PutUint32(data, secretKey(s.keyIdx)^s.keySeed)
			}
		case RegDeviceInfo:
			copy(data, []byte{0x10, 0x00, 0x01, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x02, 0x11, 0, 0, 0, 0})
		}
		return len(data), nil
	}
	if len(data) == 0 {
		return 0, nil
	}
	switch value {
	case RegHWStat:
		v := data[0]
		switch {
		case s.confused:
			// Confused state: writing the low nibble resets power; bit 0
			// reads back set once it has.
			s.hwstat = v | 0x01
			s.confused = false
		case s.hwstat&0x80 != 0 && v&0x80 == 0:
			s.hwstat = v
			if fault != SimNoPowerIRQ {
				s.notify(IRQScanPowerOn)
			}
		default:
			s.hwstat = v
		}
	case RegMode:
		s.mode = data[0]
		close(s.modeCh)
		s.modeCh = make(chan struct{})
		if s.mode == ModeAwaitFingerOn && s.fingerOn {
			s.notify(IRQFingerOn)
		}
		if s.mode == ModeAwaitFingerOff && !s.fingerOn {
			s.notify(IRQFingerOff)
		}
	case RegScrambleIndex:
		if len(data) >= 5 {
			s.keyIdx = data[0]
			s.keySeed = binary.LittleEndian.Uint32(data[1:])
		}
	}
	return len(data), nil
}

// Read implements usbdev.Gadget.
func (s *Sim) Read(ctx context.Context, addr uint8, buf []byte) (int, error) {
	switch addr {
	case EPIntr:
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case t := <-s.irq:
			for i := range buf {
				buf[i] = 0
			}
			if len(buf) < 2 {
				return 0, fmt.Errorf("interrupt buffer of %d bytes", len(buf))
			}
			binary.BigEndian.PutUint16(buf, t)
			return min(len(buf), IRQLength), nil
		}
	case EPData:
		for {
			s.mu.Lock()
			mode, fault, ch := s.mode, s.fault, s.modeCh
			s.mu.Unlock()
			if mode == ModeCapture && fault != SimStall {
				break
			}
			// Outside capture mode the device NAKs: the read waits.
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-ch:
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.frames++
		if s.fault == SimGarbage {
			n := min(len(buf), 64+s.rng.IntN(FrameLen))
			for i := range buf[:n] {
				buf[i] = byte(s.rng.Uint32())
			}
			return n, nil
		}
		frame := s.frame()
		return copy(buf, frame), nil
	}
	return 0, usbdev.ErrStall
}

// Write implements usbdev.Gadget: the device has no OUT endpoints.
func (s *Sim) Write(ctx context.Context, addr uint8, buf []byte) (int, error) {
	return 0, usbdev.ErrStall
}

// simBlocks is the block layout of simulated frames: 289 present lines
// and one missing line in 290, with a key change, as real 4000B frames
// show. Non-scrambling models send one plain layout.
var simBlocks = []block{
	{BlockEncrypted, 60}, {0, 40}, {BlockNotPresent, 1},
	{BlockChangeKey | BlockEncrypted, 100}, {BlockEncrypted, 89},
}

var plainBlocks = []block{{0, 100}, {BlockNotPresent, 1}, {0, 189}}

// frame renders the platen (or an empty one) as a device frame. Called
// with s.mu held.
func (s *Sim) frame() []byte {
	var img *image.Gray
	if s.fingerOn && s.current != nil {
		img = finger.FitTo(s.current, Width, Height)
	} else {
		img = image.NewGray(image.Rect(0, 0, Width, Height))
		for i := range img.Pix {
			img.Pix[i] = 0xf0 + byte(s.rng.IntN(8))
		}
	}
	raw := make([]byte, Width*Height)
	for i, p := range img.Pix {
		raw[i] = 0xff - p
	}
	if !s.model.Scrambled {
		for i, j := 0, len(raw)-1; i < j; i, j = i+1, j-1 {
			raw[i], raw[j] = raw[j], raw[i]
		}
	}
	blocks := plainBlocks
	if s.model.Scrambled {
		blocks = simBlocks
	}
	h := header{keyNum: byte(s.rng.IntN(200))}
	frame := make([]byte, HeaderLen, FrameLen)
	key := secretKey(h.keyNum)
	keyNum := h.keyNum
	out := 0 // output line the block covers
	for i, b := range blocks {
		h.blocks[i] = b
		n := int(b.lines) * Width
		if b.flags&BlockChangeKey != 0 {
			keyNum++
			key = secretKey(keyNum)
		}
		if b.flags&BlockNotPresent != 0 {
			// The host fills missing lines from the next present line.
			key = skipKey(key, n)
			out += int(b.lines)
			continue
		}
		src := raw[out*Width : out*Width+n]
		switch b.flags & (BlockNoKeyUpdate | BlockEncrypted) {
		case BlockEncrypted:
			var enc []byte
			enc, key = scramble(src, key, byte(s.rng.Uint32()))
			frame = append(frame, enc...)
		default:
			key = skipKey(key, n)
			frame = append(frame, src...)
		}
		h.lines += int(b.lines)
		out += int(b.lines)
	}
	putHeader(frame, h)
	return frame
}

var _ usbdev.Gadget = (*Sim)(nil)
