// Package pcsc reaches card readers through pcsc-lite (pcscd), the normal
// path on a Linux desk: reader discovery, card insert and remove events,
// and APDU exchange implementing iso7816.Transceiver. It is a thin cgo
// edge over github.com/ebfe/scard.
package pcsc

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ebfe/scard"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
)

// Context is a connection to pcscd.
type Context struct {
	ctx *scard.Context
}

// Establish connects to pcscd.
func Establish() (*Context, error) {
	c, err := scard.EstablishContext()
	if err != nil {
		return nil, fmt.Errorf("pcsc: connect to pcscd: %w", mapErr(err))
	}
	return &Context{ctx: c}, nil
}

// Release closes the connection.
func (c *Context) Release() error { return c.ctx.Release() }

// Readers lists the readers pcscd knows; none is not an error.
func (c *Context) Readers() ([]string, error) {
	rs, err := c.ctx.ListReaders()
	if errors.Is(err, scard.ErrNoReadersAvailable) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pcsc: list readers: %w", mapErr(err))
	}
	return rs, nil
}

// Event is a change of a reader's card.
type Event struct {
	Reader  string
	Present bool
	ATR     []byte
}

// Watch reports card insertions and removals on the named readers until
// ctx ends. The first call reports the current state of each reader.
func (c *Context) Watch(ctx context.Context, readers []string, fn func(Event)) error {
	states := make([]scard.ReaderState, len(readers))
	for i, r := range readers {
		states[i] = scard.ReaderState{Reader: r, CurrentState: scard.StateUnaware}
	}
	stop := context.AfterFunc(ctx, func() { c.ctx.Cancel() })
	defer stop()
	for {
		err := c.ctx.GetStatusChange(states, -1)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, scard.ErrTimeout) {
			continue
		}
		if err != nil {
			return fmt.Errorf("pcsc: status change: %w", mapErr(err))
		}
		for i := range states {
			s := &states[i]
			if s.EventState&scard.StateChanged == 0 {
				continue
			}
			was := s.CurrentState&scard.StatePresent != 0
			now := s.EventState&scard.StatePresent != 0
			if was != now || s.CurrentState == scard.StateUnaware {
				fn(Event{Reader: s.Reader, Present: now, ATR: append([]byte(nil), s.Atr...)})
			}
			s.CurrentState = s.EventState &^ scard.StateChanged
		}
	}
}

// Card is a connected card. It implements iso7816.Transceiver.
type Card struct {
	mu     sync.Mutex
	card   *scard.Card
	reader string
	// Extended marks the reader as passing extended-length APDUs: set it
	// from configuration, or call DetectExtended.
	Extended bool
}

// Connect connects to the card in reader (shared mode, T=0 or T=1).
func (c *Context) Connect(reader string) (*Card, error) {
	card, err := c.ctx.Connect(reader, scard.ShareShared, scard.ProtocolAny)
	if err != nil {
		return nil, fmt.Errorf("pcsc: connect %q: %w", reader, mapErr(err))
	}
	return &Card{card: card, reader: reader}, nil
}

// ATR returns the card's answer to reset.
func (c *Card) ATR() ([]byte, error) {
	st, err := c.card.Status()
	if err != nil {
		return nil, mapErr(err)
	}
	return st.Atr, nil
}

// ExtendedLength implements emrtd.Capabilities.
func (c *Card) ExtendedLength() bool { return c.Extended }

// Transmit implements iso7816.Transceiver. pcsc-lite calls block, so a
// cancelled ctx is noticed before and after each exchange.
func (c *Card) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.card.Transmit(apdu)
	if err != nil {
		return nil, fmt.Errorf("pcsc: transmit: %w", mapErr(err))
	}
	if len(r) < 2 {
		// Some drivers (vpcd) answer nothing when the card vanished:
		// ask pcscd for the card's state to say so clearly.
		if _, err := c.card.Status(); err != nil {
			return nil, fmt.Errorf("pcsc: transmit: %w", mapErr(err))
		}
		return nil, fmt.Errorf("pcsc: transmit: %w (the reader returned no status word)", iso7816.ErrCardRemoved)
	}
	return r, ctx.Err()
}

// Close disconnects, leaving the card powered for the next user.
func (c *Card) Close() error { return c.card.Disconnect(scard.LeaveCard) }

// removed is pcsc-lite's way of saying the card left or was reset.
var removed = map[scard.Error]error{
	scard.ErrRemovedCard: iso7816.ErrCardRemoved,
	scard.ErrResetCard:   iso7816.ErrCardRemoved,
	scard.ErrNoSmartcard: iso7816.ErrNoCard,
}

// mapErr turns pcsc-lite errors about the card into the shared sentinels
// so that callers need not import scard.
func mapErr(err error) error {
	var se scard.Error
	if errors.As(err, &se) {
		if s, ok := removed[se]; ok {
			return fmt.Errorf("%w (%v)", s, err)
		}
		if se == scard.ErrNoService {
			return fmt.Errorf("pcscd is not running (%v)", err)
		}
	}
	return err
}
