package iso7816

import (
	"context"
	"fmt"
)

// Instruction bytes used by eMRTD readers.
const (
	InsSelect          = 0xA4
	InsReadBinary      = 0xB0
	InsGetChallenge    = 0x84
	InsExternalAuth    = 0x82
	InsInternalAuth    = 0x88
	InsMSESetAT        = 0x22
	InsGeneralAuth     = 0x86
	InsGetResponse     = 0xC0
	MaxReadBinaryShort = 0xFF
)

// SelectFile selects the elementary file fid under the current DF without
// asking for FCI (P1 02, P2 0C).
func SelectFile(ctx context.Context, s Sender, fid uint16) error {
	r, err := s.Send(ctx, Command{INS: InsSelect, P1: 0x02, P2: 0x0C, Data: []byte{byte(fid >> 8), byte(fid)}})
	if err != nil {
		return err
	}
	return r.Err()
}

// SelectAID selects an application by name (P1 04, P2 0C).
func SelectAID(ctx context.Context, s Sender, aid []byte) error {
	r, err := s.Send(ctx, Command{INS: InsSelect, P1: 0x04, P2: 0x0C, Data: aid})
	if err != nil {
		return err
	}
	return r.Err()
}

// ReadBinary reads up to n bytes of the current EF from offset (at most
// 0x7FFF, the limit of the even READ BINARY instruction).
func ReadBinary(ctx context.Context, s Sender, offset, n int) ([]byte, error) {
	if offset < 0 || offset > 0x7FFF {
		return nil, fmt.Errorf("read binary: offset %d out of range", offset)
	}
	r, err := s.Send(ctx, Command{INS: InsReadBinary, P1: byte(offset >> 8), P2: byte(offset), Ne: n})
	if err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return r.Data, nil
}

// GetChallenge asks the card for n random bytes.
func GetChallenge(ctx context.Context, s Sender, n int) ([]byte, error) {
	r, err := s.Send(ctx, Command{INS: InsGetChallenge, Ne: n})
	if err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(r.Data) != n {
		return nil, fmt.Errorf("get challenge: %d bytes, want %d", len(r.Data), n)
	}
	return r.Data, nil
}
