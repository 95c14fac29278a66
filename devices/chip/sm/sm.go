// Package sm implements ICAO 9303-11 secure messaging with 3DES and the
// retail MAC (the session BAC establishes): wrapping commands and
// unwrapping responses on the terminal side, and the mirror image on the
// card side for the chip simulator.
package sm

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// ErrMAC reports a secure messaging MAC that does not verify.
var ErrMAC = errors.New("secure messaging: MAC mismatch")

// MaxShortRead is the most data one protected short READ BINARY can return:
// 231 bytes pad to 232, and DO'87' + DO'99' + DO'8E' then fill 250 of the
// 256 bytes a short response may carry.
const MaxShortRead = 0xE7

// Session holds the keys and send sequence counter of one SM session.
type Session struct {
	KEnc, KMac []byte
	SSC        [8]byte
	// Inner carries protected APDUs to the card (terminal side only).
	Inner iso7816.Sender
}

// NewSession returns a session with the given keys and initial SSC.
func NewSession(kenc, kmac, ssc []byte, inner iso7816.Sender) (*Session, error) {
	if len(kenc) != 16 || len(kmac) != 16 || len(ssc) != 8 {
		return nil, errors.New("secure messaging: bad key or SSC length")
	}
	s := &Session{KEnc: kenc, KMac: kmac, Inner: inner}
	copy(s.SSC[:], ssc)
	return s, nil
}

func (s *Session) incSSC() {
	for i := 7; i >= 0; i-- {
		s.SSC[i]++
		if s.SSC[i] != 0 {
			return
		}
	}
}

func (s *Session) mac(data []byte) ([]byte, error) {
	return RetailMAC(s.KMac, Pad(append(append([]byte(nil), s.SSC[:]...), data...)))
}

// Send implements iso7816.Sender: it protects cmd, sends it and returns
// the verified, decrypted response. A response that is not protected or
// whose MAC fails is an error and ends the session's usefulness.
func (s *Session) Send(ctx context.Context, cmd iso7816.Command) (iso7816.Response, error) {
	p, err := s.WrapCommand(cmd)
	if err != nil {
		return iso7816.Response{}, err
	}
	r, err := s.Inner.Send(ctx, p)
	if err != nil {
		return iso7816.Response{}, err
	}
	return s.UnwrapResponse(r)
}

// WrapCommand builds the protected form of cmd (incrementing the SSC).
func (s *Session) WrapCommand(cmd iso7816.Command) (iso7816.Command, error) {
	if cmd.CLA&0x0C != 0 {
		return iso7816.Command{}, errors.New("secure messaging: command already protected")
	}
	if cmd.INS&1 == 1 {
		return iso7816.Command{}, fmt.Errorf("secure messaging: odd INS %02X not supported", cmd.INS)
	}
	s.incSSC()
	cla := cmd.CLA | 0x0C
	header := Pad([]byte{cla, cmd.INS, cmd.P1, cmd.P2})
	var dos []byte
	if len(cmd.Data) > 0 {
		enc, err := Encrypt3DES(s.KEnc, Pad(cmd.Data))
		if err != nil {
			return iso7816.Command{}, err
		}
		dos = append(dos, tlv.Encode(0x87, []byte{0x01}, enc)...)
	}
	ext := false
	if cmd.Ne > 0 {
		switch {
		case cmd.Ne <= iso7816.MaxShortNe:
			// Over MaxShortRead the protected answer exceeds 256 bytes;
			// a short command then gets it through 61xx GET RESPONSE.
			dos = append(dos, 0x97, 1, byte(cmd.Ne))
		default:
			dos = append(dos, 0x97, 2, byte(cmd.Ne>>8), byte(cmd.Ne))
			ext = true
		}
	}
	cc, err := s.mac(append(header, dos...))
	if err != nil {
		return iso7816.Command{}, err
	}
	data := append(dos, 0x8E, 8)
	data = append(data, cc...)
	ne := iso7816.MaxShortNe
	if ext || len(data) > 255 {
		ne = iso7816.MaxExtendedNe
	}
	return iso7816.Command{CLA: cla, INS: cmd.INS, P1: cmd.P1, P2: cmd.P2, Data: data, Ne: ne}, nil
}

// UnwrapResponse verifies and decrypts a protected response (incrementing
// the SSC). The returned status word is the protected DO'99'.
func (s *Session) UnwrapResponse(r iso7816.Response) (iso7816.Response, error) {
	if len(r.Data) == 0 {
		return iso7816.Response{}, fmt.Errorf("secure messaging: unprotected response: %w", &iso7816.StatusError{SW: r.SW})
	}
	s.incSSC()
	objs, err := tlv.DecodeAll(r.Data)
	if err != nil {
		return iso7816.Response{}, fmt.Errorf("secure messaging: response: %w", err)
	}
	var macInput, enc, cc []byte
	sw := -1
	for _, o := range objs {
		switch o.Tag {
		case 0x87:
			if len(o.Value) < 9 || o.Value[0] != 0x01 || (len(o.Value)-1)%8 != 0 {
				return iso7816.Response{}, errors.New("secure messaging: malformed DO'87'")
			}
			enc = o.Value[1:]
		case 0x99:
			if len(o.Value) != 2 {
				return iso7816.Response{}, errors.New("secure messaging: malformed DO'99'")
			}
			sw = int(o.Value[0])<<8 | int(o.Value[1])
		case 0x8E:
			if len(o.Value) != 8 {
				return iso7816.Response{}, errors.New("secure messaging: malformed DO'8E'")
			}
			cc = o.Value
			continue
		default:
			return iso7816.Response{}, fmt.Errorf("secure messaging: unexpected DO'%X'", o.Tag)
		}
		if cc != nil {
			return iso7816.Response{}, errors.New("secure messaging: data after DO'8E'")
		}
		macInput = append(macInput, tlv.Encode(o.Tag, o.Value)...)
	}
	if cc == nil {
		return iso7816.Response{}, errors.New("secure messaging: response without DO'8E'")
	}
	if sw < 0 {
		return iso7816.Response{}, errors.New("secure messaging: response without DO'99'")
	}
	want, err := s.mac(macInput)
	if err != nil {
		return iso7816.Response{}, err
	}
	if subtle.ConstantTimeCompare(want, cc) != 1 {
		return iso7816.Response{}, ErrMAC
	}
	out := iso7816.Response{SW: uint16(sw)}
	if enc != nil {
		plain, err := Decrypt3DES(s.KEnc, enc)
		if err != nil {
			return iso7816.Response{}, err
		}
		if out.Data, err = Unpad(plain); err != nil {
			return iso7816.Response{}, fmt.Errorf("secure messaging: response %w", err)
		}
	}
	return out, nil
}
