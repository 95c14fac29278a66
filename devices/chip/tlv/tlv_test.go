package tlv

import (
	"bytes"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		tag uint32
		n   int
	}{{0x60, 0}, {0x5F01, 4}, {0x7F61, 200}, {0x5F2E, 300}, {0x77, 70000}, {0x1F8101, 3}} {
		v := bytes.Repeat([]byte{0xAB}, tc.n)
		enc := Encode(tc.tag, v)
		got, rest, err := Decode(append(enc, 0x00))
		if err != nil || got.Tag != tc.tag || !bytes.Equal(got.Value, v) || len(rest) != 1 {
			t.Fatalf("tag %X len %d: got %X %d rest %d err %v", tc.tag, tc.n, got.Tag, len(got.Value), len(rest), err)
		}
		tag, l, h, err := Header(enc[:len(enc)-tc.n])
		if err != nil || tag != tc.tag || l != tc.n || h != len(enc)-tc.n {
			t.Fatalf("Header: %X %d %d %v", tag, l, h, err)
		}
	}
}

func TestEFCOM(t *testing.T) {
	com := []byte{0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30, 0x36, 0x5F, 0x36, 0x06, 0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x5C, 0x02, 0x61, 0x75}
	v, err := Unwrap(com, 0x60)
	if err != nil {
		t.Fatal(err)
	}
	all, err := DecodeAll(v)
	if err != nil || len(all) != 3 || all[0].Tag != 0x5F01 || string(all[0].Value) != "0106" || all[2].Tag != 0x5C {
		t.Fatalf("%v %v", all, err)
	}
	if !Constructed(0x60) || Constructed(0x5F01) || !Constructed(0x7F61) {
		t.Fatal("Constructed")
	}
}

func TestBad(t *testing.T) {
	for _, b := range [][]byte{{}, {0x5F}, {0x5F, 0x81}, {0x60}, {0x60, 0x80}, {0x60, 0x85, 1, 1, 1, 1, 1}, {0x60, 0x82, 0x01}, {0x60, 0x05, 1}, {0x1F, 0x81, 0x81, 0x81, 0x01}} {
		if _, _, err := Decode(b); err == nil {
			t.Errorf("Decode(% X): no error", b)
		}
	}
}

func FuzzTLV(f *testing.F) {
	f.Add([]byte{0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30, 0x36, 0x5F, 0x36, 0x06, 0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x5C, 0x02, 0x61, 0x75})
	f.Add([]byte{0x77, 0x82, 0x00, 0x02, 0x30, 0x00})
	f.Add([]byte{0x5F, 0x1F, 0x81, 0x05, 'H', 'E', 'L', 'L', 'O'})
	f.Fuzz(func(t *testing.T, b []byte) {
		all, err := DecodeAll(b)
		if err != nil {
			return
		}
		var re []byte
		for _, x := range all {
			re = append(re, Encode(x.Tag, x.Value)...)
		}
		again, err := DecodeAll(re)
		if err != nil || len(again) != len(all) {
			t.Fatalf("re-encode: %v", err)
		}
		for i := range all {
			if again[i].Tag != all[i].Tag || !bytes.Equal(again[i].Value, all[i].Value) {
				t.Fatal("mismatch after re-encode")
			}
		}
	})
}
