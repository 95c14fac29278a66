package ccid

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
)

// replay is a Device whose bulk-IN answers come from a script.
type replay struct {
	in   [][]byte
	desc []byte
}

func (r *replay) BulkOut(context.Context, []byte) error { return nil }
func (r *replay) BulkIn(_ context.Context, buf []byte) (int, error) {
	if len(r.in) == 0 {
		return 0, errors.New("timeout")
	}
	m := r.in[0]
	r.in = r.in[1:]
	return copy(buf, m), nil
}
func (r *replay) InterruptIn(context.Context, []byte) (int, error) { return 0, errors.New("none") }
func (r *replay) ClassDescriptor() []byte                          { return r.desc }
func (r *replay) Close() error                                     { return nil }

func desc(features uint32) []byte {
	d := make([]byte, 0x36)
	d[0], d[1] = 0x36, 0x21
	binary.LittleEndian.PutUint32(d[40:44], features)
	binary.LittleEndian.PutUint32(d[44:48], 271)
	return d
}

func TestErrorsAndTimeExtension(t *testing.T) {
	dev := &replay{desc: desc(FeatureShortAPDU), in: [][]byte{
		{0x80, 0, 0, 0, 0, 0, 1, 0x80, 1, 0},                   // time extension
		{0x80, 2, 0, 0, 0, 0, 1, 0x00, 0, 0, 0x90, 0x00},       // answer
		{0x80, 0, 0, 0, 0, 0, 2, 0x41, 0xFE, 0},                // ICC mute, card present inactive
		{0x80, 0, 0, 0, 0, 0, 3, 0x42, 0xFE, 0},                // no card
		{0x80, 0, 0, 0, 0, 0, 4, 0x40, 0xF6, 0},                // protocol not supported
		{0x80, 0xFF, 0xFF, 0, 0, 0, 5, 0x00, 0, 0, 0x90, 0x00}, // absurd length
	}}
	r, err := NewReader(dev)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if resp, err := r.Transmit(ctx, []byte{0, 0xA4, 0, 0}); err != nil || len(resp) != 2 {
		t.Fatal(resp, err)
	}
	for _, want := range []string{"ccid: ICC mute (bError FE)", "card removed", "ccid: protocol not supported (bError F6)", "announces"} {
		_, err := r.Transmit(ctx, []byte{0, 0xB0, 0, 0, 1})
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	if _, err := ParseDescriptor([]byte{1, 2}); err == nil {
		t.Fatal("short descriptor accepted")
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func FuzzCCIDReply(f *testing.F) {
	f.Add([]byte{0x80, 2, 0, 0, 0, 0, 1, 0x00, 0, 0, 0x90, 0x00})
	f.Add([]byte{0x80, 0, 0, 0, 0, 0, 1, 0x80, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		dev := &replay{desc: desc(FeatureExtendedAPD), in: [][]byte{b, b, b}}
		r, _ := NewReader(dev)
		r.Transmit(context.Background(), []byte{0, 0xB0, 0, 0, 1})
		r.SlotStatus(context.Background())
	})
}
