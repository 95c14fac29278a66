package diag

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/camera"
	"github.com/dinhdanh/dinhdanh/devices/finger/uru4000"
	"github.com/dinhdanh/dinhdanh/devices/registry"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
	"github.com/dinhdanh/dinhdanh/station/audit"
)

type memRecorder struct {
	mu      sync.Mutex
	entries []audit.Entry
}

func (m *memRecorder) Record(ctx context.Context, e audit.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append(m.entries, e)
	return nil
}

type fakeReader struct {
	name    string
	present bool
	sw      []byte
	err     error
}

func (f fakeReader) Name() string      { return f.name }
func (f fakeReader) Transport() string { return "PC/SC" }
func (f fakeReader) Simulated() bool   { return true }
func (f fakeReader) CardPresent(ctx context.Context) (bool, error) {
	return f.present, f.err
}
func (f fakeReader) ATR(ctx context.Context) ([]byte, error) {
	return []byte{0x3b, 0x88, 0x80, 0x01}, nil
}
func (f fakeReader) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if !bytes.Equal(apdu, selectEMRTD) {
		return []byte{0x6d, 0x00}, nil
	}
	return f.sw, nil
}

type readers []CardReader

func (r readers) Readers(ctx context.Context) ([]CardReader, error) { return r, nil }

func noCameras() ([]camera.Device, error) { return nil, nil }

func TestDemoRunReport(t *testing.T) {
	reg := registry.New(registry.Options{USB: usbdev.NewSimBus(), Video: noCameras, Demo: true})
	rec := &memRecorder{}
	var prompts []string
	rep, err := Run(context.Background(), Options{
		Registry: reg, Demo: true, Version: "test", Operator: "tech1", Recorder: rec,
		CardReaders: readers{
			fakeReader{name: "Sim reader 0", present: true, sw: []byte{0x90, 0x00}},
			fakeReader{name: "Sim reader 1"},
			fakeReader{name: "Sim reader 2", present: true, sw: []byte{0x6a, 0x82}},
			fakeReader{name: "Sim reader 3", err: errors.New("reader unavailable")},
		},
		CameraFrames: 8, FingerTimeout: 3 * time.Second,
		Prompt: func(s string) { prompts = append(prompts, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := reg.Default(registry.Scanner)
	sk := sc.Key
	byTest := map[string]Result{}
	for _, r := range rep.Results {
		byTest[r.Test+"/"+r.Device] = r
	}
	want := map[string]Status{
		"camera.capture/sim-camera:0":         Pass,
		"scanner.open/" + sk:                  Pass,
		"scanner.empty_platen/" + sk:          Pass,
		"scanner.finger_capture/" + sk:        Pass,
		"cardreader.card/reader:Sim reader 0": Pass,
		"cardreader.card/reader:Sim reader 1": Skip,
		"cardreader.card/reader:Sim reader 2": Fail,
		"cardreader.card/reader:Sim reader 3": Fail,
	}
	for k, st := range want {
		r, ok := byTest[k]
		if !ok {
			t.Errorf("missing result %s", k)
			continue
		}
		if r.Status != st {
			t.Errorf("%s: %s (%s), want %s", k, r.Status, r.Message, st)
		}
	}
	if len(rep.Results) != len(want) {
		t.Errorf("%d results, want %d", len(rep.Results), len(want))
	}
	if rep.Summary != (Summary{Passed: 5, Failed: 2, Skipped: 1}) {
		t.Errorf("summary %+v", rep.Summary)
	}
	// Field by field on the numbers that matter to support.
	cam := byTest["camera.capture/sim-camera:0"]
	if cam.Metrics["frames"] != 8 || cam.Metrics["fps"] <= 0 || cam.Metrics["sharpness"] <= 0 ||
		cam.Facts["resolution"] != "1280x720" || !cam.Simulated || !strings.Contains(cam.Label, "[SIMULATED]") || len(cam.Images) != 1 {
		t.Errorf("camera result %+v", cam)
	}
	fin := byTest["scanner.finger_capture/"+sk]
	if fin.Metrics["ppi"] != 512 || fin.Metrics["width"] != 384 || fin.Metrics["height"] != 290 ||
		fin.Metrics["foreground"] < MinFingerArea || fin.Metrics["ms_per_capture"] <= 0 || len(fin.Images) != 1 || !fin.Images[0].Biometric {
		t.Errorf("finger result %+v", fin)
	}
	if _, err := png.Decode(bytes.NewReader(fin.Images[0].PNG)); err != nil {
		t.Errorf("finger PNG: %v", err)
	}
	op := byTest["scanner.open/"+sk]
	if op.Facts["firmware"] != "0211/0104" || op.Facts["usb_id"] != "05ba:000a" || op.Facts["driver"] != "uru4000" {
		t.Errorf("open facts %+v", op.Facts)
	}
	cr := byTest["cardreader.card/reader:Sim reader 0"]
	if cr.Facts["atr"] != "3B888001" || cr.Facts["transport"] != "PC/SC" || cr.Facts["select_sw"] != "9000" {
		t.Errorf("card reader facts %+v", cr.Facts)
	}
	if len(prompts) != 1 || !strings.Contains(prompts[0], "Place a finger") {
		t.Errorf("prompts %q", prompts)
	}
	// Audit.
	if len(rec.entries) != 1 {
		t.Fatalf("audit entries %+v", rec.entries)
	}
	a := rec.entries[0]
	if a.Action != "diagnostics.run" || a.Actor != "tech1" || a.Role != "technician" || a.Outcome != "failed" ||
		a.Detail["passed"] != "5" || a.Detail["failed"] != "2" || a.Detail["demo"] != "true" {
		t.Errorf("audit entry %+v", a)
	}
	// JSON round trip keeps every field.
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(bytes.NewReader(js.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if back.Summary != rep.Summary || len(back.Results) != len(rep.Results) || len(back.Devices) != 2 ||
		!bytes.Equal(back.Results[0].Images[0].PNG, rep.Results[0].Images[0].PNG) || back.Devices[0].USB == nil && back.Devices[1].USB == nil {
		t.Errorf("JSON round trip lost data")
	}
	// HTML shows the simulated marker, the images and the descriptors.
	var h bytes.Buffer
	if err := rep.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"[SIMULATED]", "DEMO MODE", "data:image/png;base64,", "Personal data:", "05ba:000a", "0x82 bulk", "vendor specific", "firmware: 0211/0104"} {
		if !strings.Contains(h.String(), s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	var txt bytes.Buffer
	rep.WriteText(&txt)
	if !strings.Contains(txt.String(), "5 passed, 2 failed, 1 skipped") {
		t.Errorf("text report:\n%s", txt.String())
	}
}

func TestStalledScannerFailsAndIsMarkedFaulty(t *testing.T) {
	bus := usbdev.NewSimBus()
	sim := uru4000.NewSim4000B("STALL", nil)
	sim.SetFault(uru4000.SimStall)
	bus.Plug(sim)
	reg := registry.New(registry.Options{USB: bus, Video: noCameras})
	rep, err := Run(context.Background(), Options{Registry: reg, NoBiometricImages: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Status != Fail || !strings.Contains(rep.Results[0].Message, "stopped answering") {
		t.Fatalf("results %+v", rep.Results)
	}
	es := reg.Entries()
	if len(es) != 1 || !strings.HasPrefix(es[0].Status, "faulty") {
		t.Fatalf("registry entry %+v", es)
	}
	if len(rep.Notes) == 0 || !strings.Contains(strings.Join(rep.Notes, " "), "waiting for the chip transports") {
		t.Fatalf("notes %q", rep.Notes)
	}
}

func TestGarbageScanner(t *testing.T) {
	bus := usbdev.NewSimBus()
	sim := uru4000.NewSim4000B("GARBAGE", nil)
	bus.Plug(sim)
	reg := registry.New(registry.Options{USB: bus, Video: noCameras})
	reg.Scan(context.Background())
	sim.SetFault(uru4000.SimGarbage)
	rep, err := Run(context.Background(), Options{Registry: reg, FingerTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for _, r := range rep.Results {
		if r.Status == Fail && strings.Contains(r.Message, "faulty") {
			failed = true
		}
	}
	if !failed {
		t.Fatalf("garbage-answering scanner passed: %+v", rep.Results)
	}
}
