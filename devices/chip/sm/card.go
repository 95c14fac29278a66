package sm

import (
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// UnwrapCommand is the card side of WrapCommand: it checks the MAC of a
// protected command (incrementing the SSC) and returns the plain command.
func (s *Session) UnwrapCommand(c iso7816.Command) (iso7816.Command, error) {
	if c.CLA&0x0C != 0x0C {
		return iso7816.Command{}, errors.New("secure messaging: command not protected")
	}
	s.incSSC()
	objs, err := tlv.DecodeAll(c.Data)
	if err != nil {
		return iso7816.Command{}, err
	}
	plain := iso7816.Command{CLA: c.CLA &^ 0x0C, INS: c.INS, P1: c.P1, P2: c.P2}
	macInput := Pad([]byte{c.CLA, c.INS, c.P1, c.P2})
	var cc []byte
	for _, o := range objs {
		switch o.Tag {
		case 0x87:
			if len(o.Value) < 9 || o.Value[0] != 1 || (len(o.Value)-1)%8 != 0 {
				return iso7816.Command{}, errors.New("secure messaging: malformed DO'87'")
			}
			p, err := Decrypt3DES(s.KEnc, o.Value[1:])
			if err != nil {
				return iso7816.Command{}, err
			}
			if plain.Data, err = Unpad(p); err != nil {
				return iso7816.Command{}, err
			}
		case 0x97:
			switch len(o.Value) {
			case 1:
				plain.Ne = int(o.Value[0])
				if plain.Ne == 0 {
					plain.Ne = iso7816.MaxShortNe
				}
			case 2:
				plain.Ne = int(o.Value[0])<<8 | int(o.Value[1])
				if plain.Ne == 0 {
					plain.Ne = iso7816.MaxExtendedNe
				}
			default:
				return iso7816.Command{}, errors.New("secure messaging: malformed DO'97'")
			}
		case 0x8E:
			cc = o.Value
			continue
		default:
			return iso7816.Command{}, fmt.Errorf("secure messaging: unexpected DO'%X'", o.Tag)
		}
		macInput = append(macInput, tlv.Encode(o.Tag, o.Value)...)
	}
	if len(cc) != 8 {
		return iso7816.Command{}, errors.New("secure messaging: command without DO'8E'")
	}
	want, err := s.mac(macInput)
	if err != nil {
		return iso7816.Command{}, err
	}
	if subtle.ConstantTimeCompare(want, cc) != 1 {
		return iso7816.Command{}, ErrMAC
	}
	return plain, nil
}

// WrapResponse is the card side of UnwrapResponse: it encrypts the data,
// protects the status word and MACs both (incrementing the SSC).
func (s *Session) WrapResponse(r iso7816.Response) (iso7816.Response, error) {
	s.incSSC()
	var dos []byte
	if len(r.Data) > 0 {
		enc, err := Encrypt3DES(s.KEnc, Pad(r.Data))
		if err != nil {
			return iso7816.Response{}, err
		}
		dos = tlv.Encode(0x87, []byte{0x01}, enc)
	}
	dos = append(dos, 0x99, 2, byte(r.SW>>8), byte(r.SW))
	cc, err := s.mac(dos)
	if err != nil {
		return iso7816.Response{}, err
	}
	dos = append(dos, 0x8E, 8)
	return iso7816.Response{Data: append(dos, cc...), SW: 0x9000}, nil
}
