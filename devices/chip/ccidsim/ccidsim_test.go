package ccidsim

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/ccid"
	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/emrtd"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
)

func setup(t *testing.T) (*chipsim.Card, *passiveauth.TrustStore) {
	pki, err := chipsim.NewTestPKI("p256")
	if err != nil {
		t.Fatal(err)
	}
	card, _, err := chipsim.NewCCCD(chipsim.DemoPerson(), chipsim.Options{PKI: pki, Extended: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := &passiveauth.TrustStore{}
	ts.Add(pki.CSCADER)
	return card, ts
}

// A full read through the CCID message layer, with time extensions,
// replies split over bulk transfers, and extended and short APDUs.
func TestReadOverCCID(t *testing.T) {
	card, ts := setup(t)
	for _, c := range []struct {
		name     string
		features uint32
	}{{"extended", 0x000404BA}, {"short", 0x000204BA}} {
		sim := New(card, card.ATR)
		sim.Features, sim.TimeExtensions, sim.MaxPacket = c.features, 1, 64
		r, err := ccid.NewReader(sim)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		atr, err := r.PowerOn(ctx)
		if err != nil || len(atr) == 0 {
			t.Fatal(atr, err)
		}
		if st, err := r.SlotStatus(ctx); err != nil || st != ccid.CardActive {
			t.Fatal(st, err)
		}
		doc, err := emrtd.Read(ctx, r, card.Key(), emrtd.Options{TrustStore: ts})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !doc.PassiveAuth.Passed() || doc.DG13.FullName == "" || doc.Portrait == nil {
			t.Fatalf("%s: %+v", c.name, doc.PassiveAuth)
		}
		if r.ExtendedLength() != (c.name == "extended") {
			t.Fatal("features")
		}
	}
}

func TestSlotEventsAndRemoval(t *testing.T) {
	card, ts := setup(t)
	sim := New(nil, nil)
	r, err := ccid.NewReader(sim)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st, _ := r.SlotStatus(ctx); st != ccid.NoCard {
		t.Fatal("empty slot reports", st)
	}
	if _, err := r.PowerOn(ctx); !errors.Is(err, iso7816.ErrNoCard) {
		t.Fatal(err)
	}
	go sim.Insert(card, card.ATR)
	if ev, err := r.WaitSlotChange(ctx); err != nil || !ev.Present {
		t.Fatal(ev, err)
	}
	if _, err := r.PowerOn(ctx); err != nil {
		t.Fatal(err)
	}
	card.RemoveAfter(12)
	doc, err := emrtd.Read(ctx, r, card.Key(), emrtd.Options{TrustStore: ts})
	if doc != nil || !errors.Is(err, iso7816.ErrCardRemoved) {
		t.Fatal(doc != nil, err)
	}
	go sim.Remove()
	if ev, err := r.WaitSlotChange(ctx); err != nil || ev.Present {
		t.Fatal(ev, err)
	}
}

func TestTPDUReaderRefused(t *testing.T) {
	sim := New(nil, nil)
	sim.Features = 0x000104BA
	if _, err := ccid.NewReader(sim); err == nil {
		t.Fatal("TPDU reader accepted")
	}
}

// noInterrupt hides the simulator's interrupt endpoint, as some readers lack one.
type noInterrupt struct{ *Reader }

func (noInterrupt) InterruptIn(context.Context, []byte) (int, error) { return 0, ccid.ErrNoInterrupt }

func TestWatchPolling(t *testing.T) {
	card, _ := setup(t)
	sim := New(nil, nil)
	r, err := ccid.NewReader(noInterrupt{sim})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	events := make(chan ccid.Event, 4)
	go r.Watch(ctx, 10*time.Millisecond, func(e ccid.Event) { events <- e })
	if e := <-events; e.Present {
		t.Fatal("empty slot reported present")
	}
	go sim.Insert(card, card.ATR)
	if e := <-events; !e.Present {
		t.Fatal("insert not seen")
	}
	go sim.Remove()
	if e := <-events; e.Present {
		t.Fatal("removal not seen")
	}
}
