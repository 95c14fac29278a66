package pcsc

import (
	"errors"
	"testing"

	"github.com/ebfe/scard"

	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
)

func TestErrorMapping(t *testing.T) {
	if !errors.Is(mapErr(scard.ErrRemovedCard), iso7816.ErrCardRemoved) {
		t.Fatal("removed card not mapped")
	}
	if !errors.Is(mapErr(scard.ErrNoSmartcard), iso7816.ErrNoCard) {
		t.Fatal("no card not mapped")
	}
}

// TestListReaders talks to the machine's pcscd when there is one; with no
// pcscd or no reader it only checks that nothing fails badly.
func TestListReaders(t *testing.T) {
	c, err := Establish()
	if err != nil {
		t.Skipf("no pcscd here: %v", err)
	}
	defer c.Release()
	rs, err := c.Readers()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d readers: %q", len(rs), rs)
}

func TestFeatureParsing(t *testing.T) {
	f := parseFeatures([]byte{0x06, 4, 0x42, 0x00, 0x0D, 0x48, 0x12, 4, 0x42, 0x33, 0x00, 0x12})
	if f[0x12] != 0x42330012 || f[0x06] != 0x42000D48 {
		t.Fatalf("%X", f)
	}
	n, ok := parseTLVProperties([]byte{0x01, 2, 0x00, 0x00, 0x0A, 4, 0x00, 0x00, 0x01, 0x00})
	if !ok || n != 0x10000 {
		t.Fatal(n, ok)
	}
	if _, ok := parseTLVProperties([]byte{0x0A, 9, 1}); ok {
		t.Fatal("truncated accepted")
	}
}
