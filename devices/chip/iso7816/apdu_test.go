package iso7816

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestCommandEncoding(t *testing.T) {
	for _, tc := range []struct {
		c    Command
		ext  bool
		want []byte
	}{
		{Command{INS: 0x84, Ne: 8}, false, []byte{0, 0x84, 0, 0, 8}},
		{Command{INS: 0xA4, P1: 2, P2: 0x0C, Data: []byte{1, 0x1E}}, false, []byte{0, 0xA4, 2, 0x0C, 2, 1, 0x1E}},
		{Command{INS: 0xB0, Ne: 256}, false, []byte{0, 0xB0, 0, 0, 0}},
		{Command{INS: 0xB0, Ne: 1000}, false, []byte{0, 0xB0, 0, 0, 0, 0x03, 0xE8}},
		{Command{INS: 0xB0, Ne: 65536}, true, []byte{0, 0xB0, 0, 0, 0, 0, 0}},
		{Command{INS: 0x82, Data: []byte{9}, Ne: 300}, false, []byte{0, 0x82, 0, 0, 0, 0, 1, 9, 0x01, 0x2C}},
		{Command{INS: 0x70}, false, []byte{0, 0x70, 0, 0}},
	} {
		got, err := tc.c.Bytes(tc.ext)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%+v: % X, want % X (%v)", tc.c, got, tc.want, err)
			continue
		}
		back, err := ParseCommand(got)
		if err != nil || back.INS != tc.c.INS || back.Ne != tc.c.Ne || !bytes.Equal(back.Data, tc.c.Data) {
			t.Errorf("ParseCommand(% X) = %+v %v", got, back, err)
		}
	}
}

// scripted answers each APDU from a queue and records what it was sent.
type scripted struct {
	sent    [][]byte
	answers [][]byte
}

func (s *scripted) Transmit(_ context.Context, apdu []byte) ([]byte, error) {
	s.sent = append(s.sent, append([]byte(nil), apdu...))
	if len(s.answers) == 0 {
		return nil, ErrCardRemoved
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

func TestGetResponseAndWrongLe(t *testing.T) {
	s := &scripted{answers: [][]byte{
		{0x6C, 0x04},
		{1, 2, 0x61, 0x02},
		{3, 4, 0x90, 0x00},
	}}
	c := &Card{T: s}
	r, err := c.Send(context.Background(), Command{INS: 0xB0, Ne: 0x10})
	if err != nil || r.SW != 0x9000 || !bytes.Equal(r.Data, []byte{1, 2, 3, 4}) {
		t.Fatalf("%+v %v", r, err)
	}
	want := [][]byte{{0, 0xB0, 0, 0, 0x10}, {0, 0xB0, 0, 0, 0x04}, {0, 0xC0, 0, 0, 0x02}}
	for i := range want {
		if !bytes.Equal(s.sent[i], want[i]) {
			t.Errorf("APDU %d: % X, want % X", i, s.sent[i], want[i])
		}
	}
	if c.Exchanges != 3 {
		t.Errorf("exchanges %d", c.Exchanges)
	}
}

func TestStatusErrors(t *testing.T) {
	err := Response{SW: 0x6982}.Err()
	if !errors.Is(err, ErrSecurityNotSatisfied) || errors.Is(err, ErrFileNotFound) {
		t.Fatal(err)
	}
	if err.Error() != "card status 6982: security status not satisfied" {
		t.Fatal(err)
	}
	if (Response{SW: 0x63C2}).Err().Error() != "card status 63C2: verification failed, 2 tries left" {
		t.Fatal("63Cx")
	}
	if _, err := ParseResponse([]byte{0x90}); err == nil {
		t.Fatal("1-byte response accepted")
	}
	c := &Card{T: &scripted{}}
	if _, err := c.Send(context.Background(), Command{INS: 0xB0}); !errors.Is(err, ErrCardRemoved) {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Send(ctx, Command{INS: 0xB0}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func FuzzParseCommand(f *testing.F) {
	f.Add([]byte{0, 0xB0, 0, 0, 0, 0, 1, 9, 0x01, 0x2C})
	f.Add([]byte{0x0C, 0xA4, 2, 0x0C, 2, 1, 0x1E, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCommand(b)
		if err != nil {
			return
		}
		if _, err := c.Bytes(false); err != nil {
			t.Fatal(err)
		}
	})
}
