package idnum

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"001203004567", "001******567"},
		{"079099000001", "079******001"},
		{"", ""},
		{"123", "***"},
		{"1234", "****"},
		{"123456789", "*******89"},         // 9-digit CMND
		{"00120300456", "*********56"},     // 11 digits: not an ID number
		{"0012030045678", "***********78"}, // 13 digits
		{"00120300456a", "**********6a"},
		{"Nguyễn", "****ễn"},
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	if got, err := Parse(" 001203004567 "); err != nil || got != "001203004567" {
		t.Fatalf("Parse = %q, %v", got, err)
	}
	for _, bad := range []string{"", "00120300456", "0012030045678", "00120300456x", "００１２０３００４５６７"} {
		_, err := Parse(bad)
		if err == nil {
			t.Errorf("Parse(%q) accepted", bad)
			continue
		}
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("Parse error repeats its input: %v", err)
		}
	}
}

func TestMaskAll(t *testing.T) {
	in := "card 001203004567 read; old CMND 123456789, phone 0912345678, seq 42"
	got := MaskAll(in)
	want := "card 001******567 read; old CMND *******89, phone ********78, seq 42"
	if got != want {
		t.Fatalf("MaskAll = %q\nwant      %q", got, want)
	}
	if Contains(got) {
		t.Fatal("masked text still contains a digit run")
	}
	if got := MaskAll("ID001203004567 and cmnd123456789x"); got != "ID001******567 and cmnd*******89x" {
		t.Fatalf("digits glued to a word: %q", got)
	}
	if !Contains(in) {
		t.Fatal("Contains missed an ID number")
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"001203004567", "", "12345678901234567890", "a1b2", "ễ001203004567ễ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := MaskAll(s)
		if Contains(m) && !uuids.MatchString(s) {
			t.Fatalf("MaskAll(%q) = %q still holds a 9+ digit run", s, m)
		}
		if Valid(s) && Mask(s)[3:9] != "******" {
			t.Fatalf("Mask(%q) = %q", s, Mask(s))
		}
	})
}

func TestMaskAllLeavesHashesAndUUIDs(t *testing.T) {
	for _, s := range []string{
		"123e4567-e89b-12d3-a456-426614174000",
		"hash 3a9f0123456789012345678901234567890123456789012345678901234567ab",
		"2026-11-23T09:41:22.123456789Z",
		"score 0.9312345678901234",
	} {
		if got := MaskAll(s); got != s {
			t.Errorf("MaskAll(%q) = %q, want unchanged", s, got)
		}
	}
}
