// Package iso7816 is the ISO/IEC 7816-4 command layer shared by every card
// transport: command and response APDUs in short and extended form, status
// words as errors, and the T=0 style GET RESPONSE (61xx) and wrong-Le (6Cxx)
// recoveries that readers pass through to the application.
package iso7816

import (
	"context"
	"errors"
	"fmt"
)

// Transceiver sends one raw command APDU to a card and returns the raw
// response APDU (data followed by SW1 SW2). PC/SC, CCID over USB and the
// chip simulator all implement it.
type Transceiver interface {
	Transmit(ctx context.Context, apdu []byte) ([]byte, error)
}

// Sender sends a structured command and returns the card's response. Card
// implements it over a Transceiver; secure messaging wraps one Sender in
// another.
type Sender interface {
	Send(ctx context.Context, cmd Command) (Response, error)
}

// ErrCardRemoved is returned by transports when the card left the field.
var ErrCardRemoved = errors.New("card removed")

// ErrNoCard is returned by transports when no card is present.
var ErrNoCard = errors.New("no card present")

// MaxShortNe and MaxExtendedNe are the largest response lengths one command
// can ask for: Le 00 means 256 in short form and 65536 in extended form.
const (
	MaxShortNe    = 256
	MaxExtendedNe = 65536
)

// Command is a command APDU. Ne is the expected response length: 0 for no
// response data, up to 256 in short form or 65536 in extended form.
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	Ne               int
}

// Bytes encodes c, in extended form when the data or Ne need it or when
// extended is set.
func (c Command) Bytes(extended bool) ([]byte, error) {
	if len(c.Data) > 65535 {
		return nil, fmt.Errorf("apdu: %d data bytes", len(c.Data))
	}
	if c.Ne < 0 || c.Ne > MaxExtendedNe {
		return nil, fmt.Errorf("apdu: Ne %d", c.Ne)
	}
	ext := extended || len(c.Data) > 255 || c.Ne > MaxShortNe
	out := []byte{c.CLA, c.INS, c.P1, c.P2}
	if len(c.Data) > 0 {
		if ext {
			out = append(out, 0, byte(len(c.Data)>>8), byte(len(c.Data)))
		} else {
			out = append(out, byte(len(c.Data)))
		}
		out = append(out, c.Data...)
	}
	if c.Ne > 0 {
		switch {
		case !ext:
			out = append(out, byte(c.Ne)) // 256 encodes as 00
		case len(c.Data) > 0:
			out = append(out, byte(c.Ne>>8), byte(c.Ne)) // 65536 encodes as 0000
		default:
			out = append(out, 0, byte(c.Ne>>8), byte(c.Ne))
		}
	}
	return out, nil
}

// ParseCommand decodes a command APDU in any of the ISO 7816-4 cases.
func ParseCommand(b []byte) (Command, error) {
	if len(b) < 4 {
		return Command{}, errors.New("apdu: command shorter than 4 bytes")
	}
	c := Command{CLA: b[0], INS: b[1], P1: b[2], P2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
	case len(body) == 1: // case 2 short
		c.Ne = int(body[0])
		if c.Ne == 0 {
			c.Ne = MaxShortNe
		}
	case body[0] != 0: // case 3 or 4 short
		lc := int(body[0])
		switch len(body) {
		case 1 + lc:
		case 2 + lc:
			c.Ne = int(body[1+lc])
			if c.Ne == 0 {
				c.Ne = MaxShortNe
			}
		default:
			return Command{}, fmt.Errorf("apdu: Lc %d with %d body bytes", lc, len(body))
		}
		c.Data = body[1 : 1+lc]
	case len(body) == 3: // case 2 extended
		c.Ne = int(body[1])<<8 | int(body[2])
		if c.Ne == 0 {
			c.Ne = MaxExtendedNe
		}
	default: // case 3 or 4 extended
		if len(body) < 3 {
			return Command{}, errors.New("apdu: bad extended length")
		}
		lc := int(body[1])<<8 | int(body[2])
		if lc == 0 {
			return Command{}, errors.New("apdu: extended Lc 0")
		}
		switch len(body) {
		case 3 + lc:
		case 5 + lc:
			c.Ne = int(body[3+lc])<<8 | int(body[4+lc])
			if c.Ne == 0 {
				c.Ne = MaxExtendedNe
			}
		default:
			return Command{}, fmt.Errorf("apdu: extended Lc %d with %d body bytes", lc, len(body))
		}
		c.Data = body[3 : 3+lc]
	}
	return c, nil
}

// Response is a response APDU.
type Response struct {
	Data []byte
	SW   uint16
}

// OK reports whether the status word means success (9000, or 6282 "end of
// file reached before Ne bytes", which still carries the data).
func (r Response) OK() bool { return r.SW == 0x9000 || r.SW == 0x6282 }

// Err returns nil for success and a *StatusError otherwise.
func (r Response) Err() error {
	if r.OK() {
		return nil
	}
	return &StatusError{SW: r.SW}
}

// Bytes encodes the response as data ‖ SW1 ‖ SW2.
func (r Response) Bytes() []byte {
	return append(append([]byte(nil), r.Data...), byte(r.SW>>8), byte(r.SW))
}

// ParseResponse splits a raw response APDU.
func ParseResponse(b []byte) (Response, error) {
	if len(b) < 2 {
		return Response{}, fmt.Errorf("apdu: response of %d bytes", len(b))
	}
	n := len(b) - 2
	return Response{Data: b[:n:n], SW: uint16(b[n])<<8 | uint16(b[n+1])}, nil
}

// Card sends commands over a Transceiver and hides the transport-level
// recoveries: 61xx is followed by GET RESPONSE until the data is complete,
// and 6Cxx repeats the command with the Le the card asked for.
type Card struct {
	T Transceiver
	// Extended allows extended-length APDUs (the reader and card said so).
	Extended bool
	// Exchanges counts raw APDU exchanges, for diagnostics and benchmarks.
	Exchanges int
}

// maxChain bounds GET RESPONSE chaining against a card that never ends it.
const maxChain = 1024

// Send implements Sender.
func (c *Card) Send(ctx context.Context, cmd Command) (Response, error) {
	resp, err := c.transmit(ctx, cmd)
	if err != nil {
		return Response{}, err
	}
	if resp.SW>>8 == 0x6C {
		cmd.Ne = int(resp.SW & 0xFF)
		if cmd.Ne == 0 {
			cmd.Ne = MaxShortNe
		}
		if resp, err = c.transmit(ctx, cmd); err != nil {
			return Response{}, err
		}
	}
	data := resp.Data
	for i := 0; resp.SW>>8 == 0x61; i++ {
		if i == maxChain {
			return Response{}, errors.New("apdu: GET RESPONSE chain does not end")
		}
		ne := int(resp.SW & 0xFF)
		if ne == 0 {
			ne = MaxShortNe
		}
		resp, err = c.transmit(ctx, Command{CLA: cmd.CLA & 0x03, INS: 0xC0, Ne: ne})
		if err != nil {
			return Response{}, err
		}
		data = append(data[:len(data):len(data)], resp.Data...)
	}
	resp.Data = data
	return resp, nil
}

func (c *Card) transmit(ctx context.Context, cmd Command) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	raw, err := cmd.Bytes(c.Extended && cmd.Ne > MaxShortNe)
	if err != nil {
		return Response{}, err
	}
	c.Exchanges++
	out, err := c.T.Transmit(ctx, raw)
	if err != nil {
		return Response{}, err
	}
	return ParseResponse(out)
}
