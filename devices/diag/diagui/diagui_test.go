package diagui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/dinhdanh/dinhdanh/devices/camera"
	"github.com/dinhdanh/dinhdanh/devices/diag"
	"github.com/dinhdanh/dinhdanh/devices/finger/uru4000"
	"github.com/dinhdanh/dinhdanh/devices/registry"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

func newDemoView(t *testing.T, export func(*diag.Report)) *View {
	v, _ := newDemoViewBus(t, export)
	return v
}

func newDemoViewBus(t *testing.T, export func(*diag.Report)) (*View, *usbdev.SimBus) {
	test.NewTempApp(t)
	bus := usbdev.NewSimBus()
	reg := registry.New(registry.Options{USB: bus, Demo: true,
		Video: func() ([]camera.Device, error) { return nil, nil }})
	v := New(Options{Diag: diag.Options{Registry: reg, Demo: true, CameraFrames: 5, FingerTimeout: 3 * time.Second}, Export: export})
	w := test.NewWindow(v.Object())
	t.Cleanup(w.Close)
	return v, bus
}

func TestHotPlugUpdatesList(t *testing.T) {
	v, bus := newDemoViewBus(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v.Watch(ctx, 10*time.Millisecond)
	bus.Plug(uru4000.NewSim4000B("HOT", nil))
	// The plugged scanner replaces the demo simulator as the scanner.
	waitFor(t, "the new scanner in the list", func() bool {
		for _, e := range v.Devices() {
			if e.USB != nil && e.USB.Serial == "HOT" && e.Default {
				return true
			}
		}
		return false
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDeviceListAndDetails(t *testing.T) {
	v := newDemoView(t, nil)
	devs := v.Devices()
	if len(devs) != 2 {
		t.Fatalf("devices %+v", devs)
	}
	for i, d := range devs {
		v.Select(i)
		txt := v.details.Text
		if !strings.Contains(txt, "[SIMULATED]") || !strings.Contains(txt, "SIMULATED: this is a simulator") {
			t.Errorf("details of %s lack the simulated marker:\n%s", d.Key, txt)
		}
		if d.Kind == registry.Scanner && !strings.Contains(txt, "Endpoint 0x82 bulk") {
			t.Errorf("scanner details lack descriptors:\n%s", txt)
		}
		if v.liveBtn.Disabled() {
			t.Errorf("live view disabled for %s", d.Key)
		}
	}
}

func TestRunTestsAndExport(t *testing.T) {
	var exported *diag.Report
	v := newDemoView(t, func(r *diag.Report) { exported = r })
	test.Tap(v.runBtn)
	waitFor(t, "report", func() bool {
		var ok bool
		fyne.DoAndWait(func() { ok = v.Report() != nil && !v.runBtn.Disabled() })
		return ok
	})
	rep := v.Report()
	if rep.Summary.Failed != 0 || rep.Summary.Passed != 4 {
		t.Fatalf("summary %+v\n%s", rep.Summary, v.ResultsText())
	}
	if !strings.Contains(v.ResultsText(), "PASS") || !strings.Contains(v.StatusText(), "4 passed") {
		t.Fatalf("results %q status %q", v.ResultsText(), v.StatusText())
	}
	test.Tap(v.exportBtn)
	if exported != rep {
		t.Fatal("export callback did not get the report")
	}
	var j, h bytes.Buffer
	if err := WriteReports(rep, &j, &h); err != nil || j.Len() == 0 || !strings.Contains(h.String(), "[SIMULATED]") {
		t.Fatalf("WriteReports: %v", err)
	}
}

func TestLiveViews(t *testing.T) {
	v := newDemoView(t, nil)
	for i, d := range v.Devices() {
		v.Select(i)
		v.StartLive(context.Background())
		waitFor(t, "live frames from "+d.Key, func() bool { n, _ := v.LiveFrames(); return n >= 3 })
		if _, caption := v.LiveFrames(); !strings.Contains(caption, registry.SimulatedMarker) {
			t.Errorf("live caption %q lacks the simulated marker", caption)
		}
		test.Tap(v.stopBtn)
		if !v.stopBtn.Disabled() {
			t.Error("stop button still enabled")
		}
	}
}
