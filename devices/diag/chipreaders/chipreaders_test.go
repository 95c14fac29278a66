package chipreaders

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/camera"
	"github.com/dinhdanh/dinhdanh/devices/diag"
	"github.com/dinhdanh/dinhdanh/devices/registry"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

// The demo reader runs the whole card-reader self-test through CCID
// messages to a simulated CCCD: presence, ATR, SELECT, BAC and a full
// read with passive authentication.
func TestDemoCardReaderSelfTest(t *testing.T) {
	reg := registry.New(registry.Options{USB: usbdev.NewSimBus(), Demo: true,
		Video: func() ([]camera.Device, error) { return nil, nil }})
	rep, err := diag.Run(context.Background(), diag.Options{
		Registry: reg, Demo: true, Only: string(registry.CardReader),
		CardReaders: Source{Demo: true, NoHardware: true}, FullRead: FullRead("", nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 {
		t.Fatalf("results %+v", rep.Results)
	}
	r := rep.Results[0]
	if r.Status != diag.Pass || !r.Simulated || !strings.Contains(r.Label, "[SIMULATED]") {
		t.Fatalf("result %+v", r)
	}
	for k, want := range map[string]string{
		"transport":         "CCID",
		"card_present":      "true",
		"atr":               "3B88800100000000778181007E",
		"select_sw":         "9000",
		"extended_length":   "yes",
		"read.passive_auth": "passive authentication passed",
	} {
		got := r.Facts[k]
		if !strings.HasPrefix(got, want) {
			t.Errorf("fact %s = %q, want %q…", k, got, want)
		}
	}
	if !strings.Contains(r.Facts["read.files"], "DG1") || !strings.Contains(r.Facts["read.files"], "EF.SOD") {
		t.Errorf("files read: %q", r.Facts["read.files"])
	}
	if r.Metrics["full_read_ms"] <= 0 || r.Metrics["atr_ms"] < 0 {
		t.Errorf("metrics %+v", r.Metrics)
	}
	if len(rep.Notes) != 0 {
		t.Errorf("notes %q: the chip transports are wired", rep.Notes)
	}
}

func TestNoTestMRZIsNotAFailure(t *testing.T) {
	r, err := demoReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.card = nil // behave like a real reader
	_, err = FullRead("", nil)(context.Background(), r)
	if !errors.Is(err, diag.ErrNotApplicable) {
		t.Fatalf("err = %v", err)
	}
}

func TestNoReaders(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rs, err := Source{NoHardware: true}.Readers(ctx)
	if len(rs) != 0 || err != nil {
		t.Fatalf("%v %v", rs, err)
	}
}
