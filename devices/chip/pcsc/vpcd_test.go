package pcsc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/emrtd"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
)

// serveVICC is the virtual-card side of the vsmartcard vpcd protocol:
// 2-byte big-endian length, then a 1-byte control (0 off, 1 on, 2 reset,
// 4 ATR) or an APDU, which the simulated chip answers.
var debugVICC func([]byte)

func serveVICC(conn net.Conn, card *chipsim.Card) error {
	defer conn.Close()
	for {
		var hdr [2]byte
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			return err
		}
		msg := make([]byte, binary.BigEndian.Uint16(hdr[:]))
		if _, err := io.ReadFull(conn, msg); err != nil {
			return err
		}
		var out []byte
		if debugVICC != nil {
			debugVICC(msg)
		}
		if len(msg) == 1 {
			switch msg[0] {
			case 1, 2:
				card.Reset()
				continue
			case 0:
				continue
			case 4:
				out = card.ATR
			}
		} else {
			r, err := card.Transmit(context.Background(), msg)
			if err != nil {
				return err // the card left: drop the connection like a pulled card
			}
			out = r
		}
		b := binary.BigEndian.AppendUint16(nil, uint16(len(out)))
		if _, err := conn.Write(append(b, out...)); err != nil {
			return err
		}
	}
}

// TestReadOverPCSC runs a full read through the real pcsc-lite stack:
// pcscd with the vsmartcard vpcd driver (Debian vsmartcard-vpcd), whose
// virtual card is the chip simulator. It starts the machine's pcscd, so it
// only runs when asked: DINHDANH_PCSC_VPCD=1 and no pcscd running.
func TestReadOverPCSC(t *testing.T) {
	if os.Getenv("DINHDANH_PCSC_VPCD") != "1" {
		t.Skip("set DINHDANH_PCSC_VPCD=1 to start pcscd with the vpcd driver (needs vsmartcard-vpcd, root, no pcscd running)")
	}
	const driver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
	if _, err := os.Stat(driver); err != nil {
		t.Skip("vsmartcard-vpcd not installed")
	}
	if c, err := net.Dial("unix", "/run/pcscd/pcscd.comm"); err == nil {
		c.Close()
		t.Skip("a pcscd is already running")
	}
	port := 35000 + os.Getpid()%1000
	dir := t.TempDir()
	conf := fmt.Sprintf("FRIENDLYNAME \"dinhdanh vpcd\"\nDEVICENAME /dev/null:%d\nLIBPATH %s\nCHANNELID %d\n", port, driver, port)
	os.WriteFile(filepath.Join(dir, "vpcd"), []byte(conf), 0o644)
	cmd := exec.Command("pcscd", "-f", "-c", dir)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }() // SIGTERM: pcscd removes its socket

	var pc *Context
	var readers []string
	for i := 0; i < 50 && len(readers) == 0; i++ {
		time.Sleep(100 * time.Millisecond)
		var err error
		if pc == nil {
			if pc, err = Establish(); err != nil {
				continue
			}
		}
		readers, _ = pc.Readers()
	}
	if len(readers) == 0 {
		t.Fatal("pcscd did not list the vpcd reader")
	}
	defer pc.Release()
	var reader string
	for _, r := range readers {
		if strings.Contains(r, "dinhdanh vpcd") && reader == "" {
			reader = r // slot 0 listens on the configured port
		}
	}
	t.Logf("readers %q", readers)

	pki, _ := chipsim.NewTestPKI("p256")
	card, _, err := chipsim.NewCCCD(chipsim.DemoPerson(), chipsim.Options{PKI: pki})
	if err != nil {
		t.Fatal(err)
	}
	ts := &passiveauth.TrustStore{}
	ts.Add(pki.CSCADER)

	// Insert: the virtual card connects to the driver.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	events := make(chan Event, 8)
	watchCtx, stopWatch := context.WithCancel(ctx)
	watcher, err := Establish()
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Release()
	go func() {
		err := watcher.Watch(watchCtx, []string{reader}, func(e Event) { t.Logf("event %+v", e); events <- e })
		t.Logf("watch ended: %v", err)
	}()
	var conn net.Conn
	for i := 0; i < 50; i++ {
		if conn, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if conn == nil {
		t.Fatal(err)
	}
	go serveVICC(conn, card)
	waitEvent(t, events, true)

	c, err := pc.Connect(reader)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := emrtd.Read(ctx, c, card.Key(), emrtd.Options{TrustStore: ts})
	if err != nil {
		t.Fatal(err)
	}
	if !doc.PassiveAuth.Passed() || doc.DG13 == nil || doc.Portrait == nil {
		t.Fatalf("%+v", doc.PassiveAuth)
	}
	// Pull the card mid-read.
	card.RemoveAfter(10)
	if doc, err := emrtd.Read(ctx, c, card.Key(), emrtd.Options{TrustStore: ts}); doc != nil || !errors.Is(err, iso7816.ErrCardRemoved) {
		t.Fatalf("pulled card: %v", err)
	}
	waitEvent(t, events, false)
	stopWatch()
	c.Close()
}

func waitEvent(t *testing.T, ch chan Event, present bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-ch:
			if e.Present == present {
				return
			}
		case <-timeout:
			t.Fatalf("no event with present=%v", present)
		}
	}
}
