// Package diagui is the technicians' diagnostics screen as a Fyne widget
// tree: the device list with drivers and USB descriptors, live views of
// cameras and scanners, the self-test run with its results, and report
// export. The station app puts View.Object in a window; this package does
// not import fyne/v2/app, so it builds and tests without OpenGL.
package diagui

import (
	"context"
	"fmt"
	"image"
	"io"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/dinhdanh/dinhdanh/devices/diag"
	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/registry"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

// Options configure the view.
type Options struct {
	// Diag configures self-test runs; Diag.Registry is the device registry.
	Diag diag.Options
	// Export is called with the finished report when the technician asks
	// to export it; the app shows a save dialog and calls WriteJSON /
	// WriteHTML. Nil hides the export button.
	Export func(rep *diag.Report)
}

// View is the diagnostics screen.
type View struct {
	opts Options
	reg  *registry.Registry

	mu          sync.Mutex
	devices     []registry.Entry
	report      *diag.Report
	sel         int
	stopLV      context.CancelFunc
	running     bool
	liveN       int
	liveCaption string

	root      fyne.CanvasObject
	list      *widget.List
	details   *widget.Label
	live      *canvas.Image
	liveLabel *widget.Label
	results   *widget.Label
	status    *widget.Label
	runBtn    *widget.Button
	liveBtn   *widget.Button
	stopBtn   *widget.Button
	exportBtn *widget.Button
}

// New builds the view and scans devices once.
func New(opts Options) *View {
	v := &View{opts: opts, reg: opts.Diag.Registry, sel: -1}
	v.details = widget.NewLabel("Select a device")
	v.details.Wrapping = fyne.TextWrapWord
	v.results = widget.NewLabel("")
	v.results.Wrapping = fyne.TextWrapWord
	v.status = widget.NewLabel("")
	v.liveLabel = widget.NewLabel("")
	v.live = canvas.NewImageFromImage(image.NewGray(image.Rect(0, 0, 4, 3)))
	v.live.FillMode = canvas.ImageFillContain
	v.live.SetMinSize(fyne.NewSize(320, 240))
	v.list = widget.NewList(
		func() int { v.mu.Lock(); defer v.mu.Unlock(); return len(v.devices) },
		func() fyne.CanvasObject { return widget.NewLabel("device") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if id < len(v.devices) {
				o.(*widget.Label).SetText(rowText(v.devices[id]))
			}
		})
	v.list.OnSelected = func(id widget.ListItemID) { v.selectDevice(id) }
	v.runBtn = widget.NewButton("Run self-tests", func() { v.RunTests(context.Background()) })
	v.liveBtn = widget.NewButton("Live view", func() { v.StartLive(context.Background()) })
	v.stopBtn = widget.NewButton("Stop live view", v.StopLive)
	v.stopBtn.Disable()
	v.liveBtn.Disable()
	rescan := widget.NewButton("Rescan", func() { v.Rescan(context.Background()) })
	buttons := container.NewHBox(rescan, v.runBtn, v.liveBtn, v.stopBtn)
	if opts.Export != nil {
		v.exportBtn = widget.NewButton("Export report…", func() {
			v.mu.Lock()
			rep := v.report
			v.mu.Unlock()
			if rep != nil {
				opts.Export(rep)
			}
		})
		v.exportBtn.Disable()
		buttons.Add(v.exportBtn)
	}
	right := container.NewVBox(
		widget.NewLabelWithStyle("Device", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.details,
		widget.NewLabelWithStyle("Live view", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.live, v.liveLabel,
		widget.NewLabelWithStyle("Self-tests", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.results,
	)
	split := container.NewHSplit(v.list, container.NewVScroll(right))
	split.Offset = 0.35
	v.root = container.NewBorder(buttons, v.status, nil, nil, split)
	v.Rescan(context.Background())
	return v
}

// Object returns the view's root widget.
func (v *View) Object() fyne.CanvasObject { return v.root }

func rowText(e registry.Entry) string {
	mark := ""
	if e.Default {
		mark = "★ "
	}
	st := ""
	if e.Status != "ok" {
		st = " — " + firstLine(e.Status)
	}
	return fmt.Sprintf("%s%s: %s%s", mark, e.Kind, e.Label(), st)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Devices returns the devices shown.
func (v *View) Devices() []registry.Entry {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]registry.Entry(nil), v.devices...)
}

// Rescan enumerates devices again.
func (v *View) Rescan(ctx context.Context) {
	es, err := v.reg.Scan(ctx)
	v.mu.Lock()
	v.devices = es
	v.mu.Unlock()
	v.list.UnselectAll()
	v.list.Refresh()
	if err != nil {
		v.status.SetText("Enumeration problem: " + err.Error())
	} else {
		v.status.SetText(fmt.Sprintf("%d devices", len(es)))
	}
}

// Watch follows hot-plug until ctx ends: the list updates when a device
// is plugged in or removed, and the status line says which.
func (v *View) Watch(ctx context.Context, interval time.Duration) {
	go v.reg.Watch(ctx, interval, func(c registry.Change) {
		es := v.reg.Entries()
		var msg []string
		for _, e := range c.Added {
			msg = append(msg, "plugged in: "+e.Label())
		}
		for _, e := range c.Removed {
			msg = append(msg, "removed: "+e.Label())
		}
		fyne.Do(func() {
			v.mu.Lock()
			v.devices = es
			v.mu.Unlock()
			v.list.Refresh()
			v.status.SetText(strings.Join(msg, "; "))
		})
	})
}

// Select selects the i-th device, as a tap on the list does.
func (v *View) Select(i int) { v.list.Select(i) }

func (v *View) selectDevice(id int) {
	v.mu.Lock()
	if id < 0 || id >= len(v.devices) {
		v.mu.Unlock()
		return
	}
	v.sel = id
	e := v.devices[id]
	v.mu.Unlock()
	v.details.SetText(DescribeDevice(e))
	if (e.Kind == registry.Camera || e.Kind == registry.Scanner) && e.Status == "ok" {
		v.liveBtn.Enable()
	} else {
		v.liveBtn.Disable()
	}
}

// DescribeDevice is the details text of a device: identity, driver,
// status and the USB descriptor tree.
func DescribeDevice(e registry.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nKind: %s\nDriver: %s\nStatus: %s\n", e.Label(), e.Kind, orDash(e.Driver), e.Status)
	if e.Simulated {
		b.WriteString("SIMULATED: this is a simulator, not hardware.\n")
	}
	if v := e.Video; v != nil {
		fmt.Fprintf(&b, "Node: %s\nV4L2 driver: %s, card: %s, bus: %s\nFormats: %s\n", v.Path, v.Driver, v.Card, v.BusInfo, strings.Join(v.Formats, ", "))
	}
	if u := e.USB; u != nil {
		fmt.Fprintf(&b, "USB %s, bus %d address %d (%s), speed %s, USB %s, device version %s\n",
			u.ID(), u.Bus, u.Address, u.Node(), u.Speed, u.USBVersion, u.DeviceVersion)
		fmt.Fprintf(&b, "Manufacturer: %s\nProduct: %s\nSerial: %s\nClass: %s\n", orDash(u.Manufacturer), orDash(u.Product), orDash(u.Serial), usbdev.ClassName(u.Class))
		for _, c := range u.Configs {
			fmt.Fprintf(&b, "Configuration %d, %d mA\n", c.Number, c.MaxPowerMA)
			for _, in := range c.Interfaces {
				fmt.Fprintf(&b, "  Interface %d alt %d: %s (%02x/%02x/%02x)\n", in.Number, in.Alternate, usbdev.ClassName(in.Class), in.Class, in.SubClass, in.Protocol)
				for _, ep := range in.Endpoints {
					fmt.Fprintf(&b, "    Endpoint 0x%02x %s, %d bytes\n", ep.Address, ep.Type, ep.MaxPacketSize)
				}
			}
		}
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// RunTests runs every self-test in the background; the results appear
// when done. Calls while a run is in progress are ignored.
func (v *View) RunTests(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	v.mu.Lock()
	if v.running {
		v.mu.Unlock()
		close(done)
		return done
	}
	v.running = true
	v.mu.Unlock()
	v.StopLive()
	v.runBtn.Disable()
	v.status.SetText("Running self-tests…")
	opts := v.opts.Diag
	opts.Prompt = func(msg string) { fyne.DoAndWait(func() { v.status.SetText(msg) }) }
	go func() {
		defer close(done)
		rep, err := diag.Run(ctx, opts)
		fyne.DoAndWait(func() {
			v.mu.Lock()
			v.running = false
			if rep != nil {
				v.report = rep
			}
			if rep != nil {
				v.devices = rep.Devices
			}
			v.mu.Unlock()
			v.list.Refresh()
			if rep != nil {
				v.results.SetText(resultsText(rep))
				v.status.SetText(fmt.Sprintf("%d passed, %d failed, %d skipped", rep.Summary.Passed, rep.Summary.Failed, rep.Summary.Skipped))
				if v.exportBtn != nil {
					v.exportBtn.Enable()
				}
			}
			if err != nil {
				v.status.SetText("Self-tests: " + err.Error())
			}
			v.runBtn.Enable()
		})
	}()
	return done
}

func resultsText(rep *diag.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "%s  %s — %s: %s\n", strings.ToUpper(string(r.Status)), r.Label, r.Test, r.Message)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	return b.String()
}

// Report returns the last run's report, nil before the first run.
func (v *View) Report() *diag.Report {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.report
}

// ResultsText returns the results shown, for tests.
func (v *View) ResultsText() string { return v.results.Text }

// StatusText returns the status line, for tests.
func (v *View) StatusText() string { return v.status.Text }

// LiveFrames returns how many frames the live view has received since
// it was started, and the caption of the last one.
func (v *View) LiveFrames() (int, string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.liveN, v.liveCaption
}

// StartLive shows the selected camera's frames or the selected scanner's
// preview until StopLive. Frames reach the UI through fyne.Do; the
// camera's mailbox drops frames the UI has no time for.
func (v *View) StartLive(ctx context.Context) {
	v.mu.Lock()
	if v.sel < 0 || v.sel >= len(v.devices) || v.stopLV != nil {
		v.mu.Unlock()
		return
	}
	e := v.devices[v.sel]
	ctx, cancel := context.WithCancel(ctx)
	v.stopLV = cancel
	v.mu.Unlock()
	v.stopBtn.Enable()
	v.liveBtn.Disable()
	v.mu.Lock()
	v.liveN, v.liveCaption = 0, ""
	v.mu.Unlock()
	show := func(img image.Image, n int, what string) {
		v.mu.Lock()
		v.liveN++
		v.liveCaption = what
		v.mu.Unlock()
		fyne.Do(func() {
			v.live.Image = img
			v.live.Refresh()
			v.liveLabel.SetText(fmt.Sprintf("frame %d %s", n, what))
		})
	}
	fail := func(err error) {
		fyne.Do(func() {
			v.liveLabel.SetText("Live view stopped: " + err.Error())
			v.StopLive()
		})
	}
	sim := ""
	if e.Simulated {
		sim = registry.SimulatedMarker
	}
	switch e.Kind {
	case registry.Camera:
		src, err := v.reg.OpenCamera(e, 640, 480, 30)
		if err == nil {
			err = src.Open()
		}
		if err != nil {
			fail(err)
			return
		}
		go func() {
			defer src.Close()
			frames := src.Frames()
			for {
				select {
				case <-ctx.Done():
					return
				case f, ok := <-frames:
					if !ok {
						if err := src.Err(); err != nil {
							fail(err)
						}
						return
					}
					show(f.Image, int(f.Seq), sim)
				}
			}
		}()
	case registry.Scanner:
		go func() {
			sc, err := v.reg.OpenScanner(ctx, e)
			if err != nil {
				fail(err)
				return
			}
			defer sc.Close()
			n := 0
			err = sc.Preview(ctx, func(img *finger.Image) bool {
				n++
				what := "no finger"
				if finger.Present(img.Gray) {
					what = "finger present"
				}
				show(img.Gray, n, strings.TrimSpace(what+" "+sim))
				return ctx.Err() == nil
			})
			if err != nil && ctx.Err() == nil {
				fail(err)
			}
		}()
	default:
		fail(fmt.Errorf("%s has no live view", e.Kind))
	}
}

// StopLive ends the live view.
func (v *View) StopLive() {
	v.mu.Lock()
	stop := v.stopLV
	v.stopLV = nil
	v.mu.Unlock()
	if stop != nil {
		stop()
	}
	v.stopBtn.Disable()
	if v.sel >= 0 {
		v.liveBtn.Enable()
	}
}

// WriteReports writes the last report as JSON and HTML, for an Export
// callback that has opened two files.
func WriteReports(rep *diag.Report, jsonW, htmlW io.Writer) error {
	if err := rep.WriteJSON(jsonW); err != nil {
		return err
	}
	return rep.WriteHTML(htmlW)
}
