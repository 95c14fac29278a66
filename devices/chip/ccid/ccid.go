// Package ccid drives a USB smart-card reader directly with the CCID
// protocol (USB CCID rev 1.1) for desks without pcscd: IccPowerOn,
// GetSlotStatus, XfrBlock with time extensions, and NotifySlotChange for
// card insert and remove. The USB calls sit behind the Device interface:
// gousb implements it for hardware (usb.go), and package ccidsim for tests.
package ccid

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
)

// Device is the USB side of a CCID reader: its bulk and interrupt
// endpoints and its class descriptor.
type Device interface {
	// BulkOut writes one message to the bulk-OUT endpoint.
	BulkOut(ctx context.Context, b []byte) error
	// BulkIn reads one transfer from the bulk-IN endpoint into buf.
	BulkIn(ctx context.Context, buf []byte) (int, error)
	// InterruptIn reads one notification from the interrupt-IN endpoint.
	InterruptIn(ctx context.Context, buf []byte) (int, error)
	// ClassDescriptor returns the raw CCID class descriptor (type 0x21).
	ClassDescriptor() []byte
	Close() error
}

// Message types (CCID §6).
const (
	PCtoRDRIccPowerOn     = 0x62
	PCtoRDRIccPowerOff    = 0x63
	PCtoRDRGetSlotStatus  = 0x65
	PCtoRDRXfrBlock       = 0x6F
	RDRtoPCDataBlock      = 0x80
	RDRtoPCSlotStatus     = 0x81
	RDRtoPCNotifySlotChng = 0x50
	RDRtoPCHardwareError  = 0x51
	headerLen             = 10
)

// Features bits of dwFeatures.
const (
	FeatureTPDU        = 0x00010000
	FeatureShortAPDU   = 0x00020000
	FeatureExtendedAPD = 0x00040000
)

// Descriptor holds the fields of the CCID class descriptor used here.
type Descriptor struct {
	Protocols        uint32
	MaxIFSD          uint32
	Features         uint32
	MaxMessageLength uint32
	MaxSlot          int
}

// ParseDescriptor decodes the 54-byte CCID class descriptor.
func ParseDescriptor(b []byte) (Descriptor, error) {
	if len(b) < 0x36 || b[1] != 0x21 {
		return Descriptor{}, errors.New("ccid: not a CCID class descriptor")
	}
	return Descriptor{
		MaxSlot:          int(b[4]),
		Protocols:        binary.LittleEndian.Uint32(b[6:10]),
		MaxIFSD:          binary.LittleEndian.Uint32(b[28:32]),
		Features:         binary.LittleEndian.Uint32(b[40:44]),
		MaxMessageLength: binary.LittleEndian.Uint32(b[44:48]),
	}, nil
}

// SlotState is the ICC status of a slot (bStatus bits 0-1).
type SlotState int

// Slot states.
const (
	CardActive   SlotState = 0
	CardInactive SlotState = 1
	NoCard       SlotState = 2
)

// Error is a failed command's bError.
type Error struct {
	Code  byte
	State SlotState
}

func (e *Error) Error() string {
	name := map[byte]string{0xFE: "ICC mute", 0xFD: "parity error", 0xFC: "overrun", 0xFB: "hardware error", 0xF8: "bad ATR TS", 0xF7: "bad ATR TCK", 0xF6: "protocol not supported", 0xE0: "slot busy", 0x00: "command not supported"}[e.Code]
	if name == "" {
		name = fmt.Sprintf("bad value in message byte %d", e.Code)
	}
	return fmt.Sprintf("ccid: %s (bError %02X)", name, e.Code)
}

// Reader is a CCID reader slot. It implements iso7816.Transceiver.
type Reader struct {
	dev  Device
	desc Descriptor
	slot byte

	mu  sync.Mutex
	seq byte
	atr []byte
}

// NewReader wraps a device; slot 0 is used.
func NewReader(dev Device) (*Reader, error) {
	d, err := ParseDescriptor(dev.ClassDescriptor())
	if err != nil {
		return nil, err
	}
	if d.Features&(FeatureShortAPDU|FeatureExtendedAPD) == 0 {
		return nil, errors.New("ccid: reader exchanges TPDUs, not APDUs: T=1 framing in the host is not implemented; use it through pcscd")
	}
	return &Reader{dev: dev, desc: d}, nil
}

// Descriptor returns the reader's class descriptor fields.
func (r *Reader) Descriptor() Descriptor { return r.desc }

// ExtendedLength reports whether the reader exchanges extended APDUs.
func (r *Reader) ExtendedLength() bool { return r.desc.Features&FeatureExtendedAPD != 0 }

// ATR returns the answer to reset from the last PowerOn.
func (r *Reader) ATR() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.atr...)
}

// exchange sends one message and returns the matching reply, skipping
// time-extension replies.
func (r *Reader) exchange(ctx context.Context, typ byte, param [3]byte, payload []byte) (hdr []byte, data []byte, err error) {
	r.seq++
	msg := make([]byte, headerLen, headerLen+len(payload))
	msg[0] = typ
	binary.LittleEndian.PutUint32(msg[1:5], uint32(len(payload)))
	msg[5], msg[6] = r.slot, r.seq
	copy(msg[7:10], param[:])
	msg = append(msg, payload...)
	if r.desc.MaxMessageLength > 0 && len(msg) > int(r.desc.MaxMessageLength) {
		return nil, nil, fmt.Errorf("ccid: message of %d bytes exceeds the reader's %d", len(msg), r.desc.MaxMessageLength)
	}
	if err := r.dev.BulkOut(ctx, msg); err != nil {
		return nil, nil, fmt.Errorf("ccid: bulk out: %w", err)
	}
	bufLen := int(r.desc.MaxMessageLength)
	if bufLen < headerLen+261 {
		bufLen = headerLen + 65538
	}
	buf := make([]byte, bufLen)
	for {
		n, err := r.dev.BulkIn(ctx, buf)
		if err != nil {
			return nil, nil, fmt.Errorf("ccid: bulk in: %w", err)
		}
		reply := buf[:n]
		if n < headerLen {
			return nil, nil, fmt.Errorf("ccid: reply of %d bytes", n)
		}
		want := headerLen + int(binary.LittleEndian.Uint32(reply[1:5]))
		if want > len(buf) {
			return nil, nil, fmt.Errorf("ccid: reply announces %d bytes", want)
		}
		for n < want { // a long reply may span several transfers
			m, err := r.dev.BulkIn(ctx, buf[n:])
			if err != nil {
				return nil, nil, fmt.Errorf("ccid: bulk in: %w", err)
			}
			if m == 0 {
				return nil, nil, errors.New("ccid: truncated reply")
			}
			n += m
		}
		reply = buf[:want]
		if reply[6] != r.seq {
			continue // a stale reply to an earlier, abandoned command
		}
		status := reply[7]
		switch status >> 6 {
		case 2: // time extension requested: the reply follows
			continue
		case 1:
			return nil, nil, r.failure(reply[8], SlotState(status&3))
		}
		return append([]byte(nil), reply[:headerLen]...), append([]byte(nil), reply[headerLen:]...), nil
	}
}

func (r *Reader) failure(code byte, state SlotState) error {
	e := &Error{Code: code, State: state}
	switch {
	case state == NoCard:
		return fmt.Errorf("%w: %v", iso7816.ErrNoCard, e)
	case code == 0xFE:
		return fmt.Errorf("%w: %v", iso7816.ErrCardRemoved, e)
	}
	return e
}

// PowerOn activates the card and returns its ATR.
func (r *Reader) PowerOn(ctx context.Context) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hdr, data, err := r.exchange(ctx, PCtoRDRIccPowerOn, [3]byte{0, 0, 0}, nil)
	if err != nil {
		return nil, err
	}
	if hdr[0] != RDRtoPCDataBlock {
		return nil, fmt.Errorf("ccid: power on answered with message %02X", hdr[0])
	}
	r.atr = data
	return append([]byte(nil), data...), nil
}

// PowerOff deactivates the card.
func (r *Reader) PowerOff(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _, err := r.exchange(ctx, PCtoRDRIccPowerOff, [3]byte{}, nil)
	return err
}

// SlotStatus asks for the slot's state.
func (r *Reader) SlotStatus(ctx context.Context) (SlotState, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hdr, _, err := r.exchange(ctx, PCtoRDRGetSlotStatus, [3]byte{}, nil)
	if err != nil {
		var e *Error
		if errors.As(err, &e) || errors.Is(err, iso7816.ErrNoCard) {
			return NoCard, nil
		}
		return 0, err
	}
	return SlotState(hdr[7] & 3), nil
}

// Transmit implements iso7816.Transceiver with XfrBlock.
func (r *Reader) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hdr, data, err := r.exchange(ctx, PCtoRDRXfrBlock, [3]byte{0, 0, 0}, apdu)
	if errors.Is(err, iso7816.ErrNoCard) {
		// The card was powered for this exchange: it left mid-session.
		return nil, fmt.Errorf("%w: %v", iso7816.ErrCardRemoved, err)
	}
	if err != nil {
		return nil, err
	}
	if hdr[0] != RDRtoPCDataBlock {
		return nil, fmt.Errorf("ccid: XfrBlock answered with message %02X", hdr[0])
	}
	return data, nil
}

// Event is a card arriving in or leaving the slot.
type Event struct {
	Present bool
}

// WaitSlotChange blocks until the reader's interrupt endpoint reports a
// NotifySlotChange for slot 0 with its change bit set.
func (r *Reader) WaitSlotChange(ctx context.Context) (Event, error) {
	buf := make([]byte, 64)
	for {
		n, err := r.dev.InterruptIn(ctx, buf)
		if err != nil {
			return Event{}, fmt.Errorf("ccid: interrupt in: %w", err)
		}
		if n < 2 {
			continue
		}
		switch buf[0] {
		case RDRtoPCNotifySlotChng:
			bits := buf[1] & 0x03 // slot 0: bit 0 present, bit 1 changed
			if bits&2 != 0 {
				return Event{Present: bits&1 != 0}, nil
			}
		case RDRtoPCHardwareError:
			return Event{}, fmt.Errorf("ccid: hardware error reported (code %02X)", buf[n-1])
		}
	}
}

// Close releases the device.
func (r *Reader) Close() error { return r.dev.Close() }

// ErrNoInterrupt is returned by Device.InterruptIn when the reader has no
// interrupt endpoint.
var ErrNoInterrupt = errors.New("ccid: reader has no interrupt endpoint")

// Watch calls fn for every card arrival and removal until ctx ends. It
// uses NotifySlotChange when the reader has an interrupt endpoint and
// polls GetSlotStatus every interval otherwise.
func (r *Reader) Watch(ctx context.Context, interval time.Duration, fn func(Event)) error {
	present := false
	if st, err := r.SlotStatus(ctx); err == nil {
		present = st != NoCard
		fn(Event{Present: present})
	}
	for {
		ev, err := r.WaitSlotChange(ctx)
		if errors.Is(err, ErrNoInterrupt) {
			break
		}
		if err != nil {
			return err
		}
		present = ev.Present
		fn(ev)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		st, err := r.SlotStatus(ctx)
		if err != nil {
			return err
		}
		if now := st != NoCard; now != present {
			present = now
			fn(Event{Present: now})
		}
	}
}
