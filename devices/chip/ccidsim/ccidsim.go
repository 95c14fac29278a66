// Package ccidsim is a CCID reader at the level of USB bulk and interrupt
// messages, with a simulated chip in its slot. It implements ccid.Device,
// so the CCID transport's whole message path (headers, sequence numbers,
// time extensions, slot errors, NotifySlotChange) runs in tests.
package ccidsim

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
)

// Card is the chip in the slot: chipsim.Card implements it.
type Card interface {
	iso7816.Transceiver
	Present() bool
	Reset()
}

// Reader is a simulated single-slot CCID reader.
type Reader struct {
	mu      sync.Mutex
	card    Card
	atr     []byte
	powered bool
	replies [][]byte
	notify  chan []byte
	closed  bool

	// Features is dwFeatures (default: short and extended APDU level).
	Features uint32
	// MaxMessage is dwMaxCCIDMessageLength.
	MaxMessage uint32
	// TimeExtensions is how many time-extension replies precede every
	// XfrBlock answer, as a slow card causes.
	TimeExtensions int
	// MaxPacket splits replies into bulk transfers of this size (0: one).
	MaxPacket int
}

// New returns a reader with card in its slot (nil: empty slot).
func New(card Card, atr []byte) *Reader {
	return &Reader{card: card, atr: atr, notify: make(chan []byte, 16), Features: 0x000404BA | 0x00040000, MaxMessage: 65544}
}

// Insert puts a card in the slot and raises NotifySlotChange.
func (r *Reader) Insert(card Card, atr []byte) {
	r.mu.Lock()
	r.card, r.atr, r.powered = card, atr, false
	r.mu.Unlock()
	r.notify <- []byte{0x50, 0x03}
}

// Remove takes the card out and raises NotifySlotChange.
func (r *Reader) Remove() {
	r.mu.Lock()
	r.card, r.powered = nil, false
	r.mu.Unlock()
	r.notify <- []byte{0x50, 0x02}
}

// ClassDescriptor implements ccid.Device.
func (r *Reader) ClassDescriptor() []byte {
	d := make([]byte, 0x36)
	d[0], d[1] = 0x36, 0x21
	d[2], d[3] = 0x10, 0x01                      // bcdCCID 1.10
	d[4] = 0                                     // bMaxSlotIndex
	d[5] = 0x07                                  // 5 V, 3 V, 1.8 V
	binary.LittleEndian.PutUint32(d[6:10], 0x03) // T=0, T=1
	binary.LittleEndian.PutUint32(d[28:32], 254)
	binary.LittleEndian.PutUint32(d[40:44], r.Features)
	binary.LittleEndian.PutUint32(d[44:48], r.MaxMessage)
	return d
}

// BulkOut implements ccid.Device: it executes one PC_to_RDR message.
func (r *Reader) BulkOut(ctx context.Context, msg []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("ccidsim: closed")
	}
	if len(msg) < 10 || int(binary.LittleEndian.Uint32(msg[1:5])) != len(msg)-10 {
		return errors.New("ccidsim: malformed message")
	}
	typ, slot, seq, payload := msg[0], msg[5], msg[6], msg[10:]
	if slot != 0 {
		r.reply(0x81, seq, 0x40|r.state(), 5, nil) // bError 5: bSlot is wrong
		return nil
	}
	switch typ {
	case 0x62: // IccPowerOn
		if r.card == nil || !r.card.Present() {
			r.reply(0x80, seq, 0x42, 0xFE, nil)
			return nil
		}
		r.card.Reset()
		r.powered = true
		r.reply(0x80, seq, 0x00, 0, r.atr)
	case 0x63: // IccPowerOff
		r.powered = false
		r.reply(0x81, seq, r.state(), 0, nil)
	case 0x65: // GetSlotStatus
		r.reply(0x81, seq, r.state(), 0, nil)
	case 0x6F: // XfrBlock
		if r.card == nil || !r.card.Present() {
			r.card = nil
			r.reply(0x80, seq, 0x42, 0xFE, nil)
			return nil
		}
		if !r.powered {
			r.reply(0x80, seq, 0x41, 0xFE, nil)
			return nil
		}
		for i := 0; i < r.TimeExtensions; i++ {
			r.reply(0x80, seq, 0x80, 1, nil)
		}
		resp, err := r.card.Transmit(ctx, payload)
		if err != nil {
			// The chip stopped answering: it left the field.
			r.powered = false
			r.reply(0x80, seq, 0x40|r.state(), 0xFE, nil)
			return nil
		}
		r.reply(0x80, seq, 0x00, 0, resp)
	default:
		r.reply(0x81, seq, 0x40|r.state(), 0, nil) // command not supported
	}
	return nil
}

func (r *Reader) state() byte {
	switch {
	case r.card == nil || !r.card.Present():
		return 2
	case r.powered:
		return 0
	}
	return 1
}

func (r *Reader) reply(typ, seq, status, errCode byte, data []byte) {
	m := make([]byte, 10, 10+len(data))
	m[0] = typ
	binary.LittleEndian.PutUint32(m[1:5], uint32(len(data)))
	m[6], m[7], m[8] = seq, status, errCode
	m = append(m, data...)
	if r.MaxPacket > 0 {
		for len(m) > r.MaxPacket {
			r.replies = append(r.replies, m[:r.MaxPacket])
			m = m[r.MaxPacket:]
		}
	}
	r.replies = append(r.replies, m)
}

// BulkIn implements ccid.Device.
func (r *Reader) BulkIn(ctx context.Context, buf []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.replies) == 0 {
		return 0, errors.New("ccidsim: bulk in timeout: no reply pending")
	}
	m := r.replies[0]
	n := copy(buf, m)
	if n < len(m) {
		r.replies[0] = m[n:]
	} else {
		r.replies = r.replies[1:]
	}
	return n, nil
}

// InterruptIn implements ccid.Device.
func (r *Reader) InterruptIn(ctx context.Context, buf []byte) (int, error) {
	select {
	case m := <-r.notify:
		return copy(buf, m), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Close implements ccid.Device.
func (r *Reader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}
