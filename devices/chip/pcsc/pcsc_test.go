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
