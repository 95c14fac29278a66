// Package registry knows which capture devices are attached: it
// enumerates USB devices and V4L2 cameras, chooses a driver for each,
// notices hot-plug by polling, picks defaults, and in demo mode stands
// simulators in for missing devices, marked SIMULATED wherever they show.
package registry

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // shared demo faces are JPEG
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/camera"
	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/finger/uru4000"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
	"github.com/dinhdanh/dinhdanh/internal/shared"
)

// Kind is what a device is for.
type Kind string

// Device kinds.
const (
	Camera     Kind = "camera"
	Scanner    Kind = "fingerprint-scanner"
	CardReader Kind = "card-reader"
	Other      Kind = "other"
)

// SimulatedMarker is appended to the label of every simulated device and
// shown wherever its data appears.
const SimulatedMarker = "[SIMULATED]"

// Entry is one attached (or simulated) device.
type Entry struct {
	// Key identifies the device while it stays attached.
	Key  string `json:"key"`
	Kind Kind   `json:"kind"`
	// Name is what the device calls itself (product string, V4L2 card).
	Name string `json:"name"`
	// Driver is the station driver chosen for it, empty when none fits.
	Driver string `json:"driver,omitempty"`
	// USB holds the USB descriptors for USB devices.
	USB *usbdev.DeviceInfo `json:"usb,omitempty"`
	// Video holds the V4L2 node for cameras.
	Video *camera.Device `json:"video,omitempty"`
	// Simulated marks simulators standing in for hardware (demo mode).
	Simulated bool `json:"simulated"`
	// Status is "ok", "not used by the station", "no driver: ...",
	// "permission denied: ..." (with the udev hint) or "faulty: ...".
	Status string `json:"status"`
	// Default is set on the device chosen for its kind.
	Default bool `json:"default"`

	bus usbdev.Bus // the bus the device was found on
}

// Label is the name shown to people, with the SIMULATED marker.
func (e Entry) Label() string {
	if e.Simulated {
		return e.Name + " " + SimulatedMarker
	}
	return e.Name
}

// Options configure a Registry.
type Options struct {
	// USB is the host bus; nil means no USB enumeration.
	USB usbdev.Bus
	// Video lists V4L2 cameras; nil means camera.Enumerate.
	Video func() ([]camera.Device, error)
	// Demo plugs simulators in for each missing kind of device.
	Demo bool
}

// Registry tracks attached devices. Its methods are safe for concurrent use.
type Registry struct {
	opts Options

	mu      sync.Mutex
	entries []Entry
	faults  map[string]string
	sim     *usbdev.SimBus
	simScan *uru4000.Sim
	simInfo usbdev.DeviceInfo
}

// New returns a registry; call Scan to fill it.
func New(opts Options) *Registry {
	if opts.Video == nil {
		opts.Video = camera.Enumerate
	}
	return &Registry{opts: opts, faults: map[string]string{}}
}

// Scan enumerates devices now and returns them, defaults marked.
func (r *Registry) Scan(ctx context.Context) ([]Entry, error) {
	var out []Entry
	var errs []error
	if r.opts.USB != nil {
		infos, err := r.opts.USB.List(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("list USB: %w", err))
		}
		for _, in := range infos {
			e := usbEntry(in)
			e.bus = r.opts.USB
			out = append(out, e)
		}
	}
	cams, err := r.opts.Video()
	if err != nil {
		errs = append(errs, fmt.Errorf("list cameras: %w", err))
	}
	for _, c := range cams {
		if !c.Capture && c.Access == "" {
			continue // metadata node of a UVC camera
		}
		c := c
		e := Entry{Key: "v4l2:" + c.Path, Kind: Camera, Name: firstNonEmpty(c.Card, c.Name, c.Path),
			Driver: "v4l2", Video: &c, Status: "ok"}
		if c.Access != "" {
			e.Status = c.Access
			if c.Access == "permission denied" {
				e.Status += ": " + camera.UdevHint(c.Path)
			}
		}
		out = append(out, e)
	}
	if r.opts.Demo {
		out = append(out, r.demoEntries(ctx, out)...)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range out {
		if f, ok := r.faults[out[i].Key]; ok {
			out[i].Status = "faulty: " + f
		}
	}
	pickDefaults(out)
	r.entries = out
	return append([]Entry(nil), out...), errors.Join(errs...)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func usbEntry(in usbdev.DeviceInfo) Entry {
	in2 := in
	e := Entry{Key: in.Key(), Kind: Other, USB: &in2, Simulated: in.Simulated, Status: "ok",
		Name: firstNonEmpty(strings.TrimSpace(in.Manufacturer+" "+in.Product), "USB device "+in.ID())}
	switch {
	case uru4000.Supported(in.VendorID, in.ProductID):
		e.Kind, e.Driver = Scanner, "uru4000"
		if m, ok := uru4000.Lookup(in.VendorID, in.ProductID); ok && in.Product == "" {
			e.Name = m.Name
		}
	case in.HasInterfaceClass(0x0b):
		e.Kind, e.Driver = CardReader, "ccid"
	case in.HasInterfaceClass(0x0e):
		e.Kind, e.Driver = Camera, "uvc (use its V4L2 node)"
	default:
		if _, ok := uru4000.Lookup(in.VendorID, in.ProductID); ok {
			e.Kind = Scanner
			e.Status = "no driver: needs AES challenge-response, not supported"
		} else {
			e.Status = "not used by the station"
		}
	}
	if in.Access != "" {
		if e.Kind == Other {
			// Hubs, keyboards and the like need no access rule.
			e.Status += " (cannot open: " + in.Access + ")"
		} else {
			e.Status = in.Access + ": " + usbdev.UdevHint(in.Node())
		}
	}
	return e
}

// pickDefaults marks, per kind, the first healthy device, preferring real
// hardware over simulators.
func pickDefaults(es []Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Kind != es[j].Kind {
			return es[i].Kind < es[j].Kind
		}
		return !es[i].Simulated && es[j].Simulated
	})
	seen := map[Kind]bool{}
	for i := range es {
		e := &es[i]
		if e.Kind == Other || e.Driver == "" || e.Status != "ok" || seen[e.Kind] {
			continue
		}
		e.Default = true
		seen[e.Kind] = true
	}
}

// demoEntries returns simulators for kinds missing from real.
func (r *Registry) demoEntries(ctx context.Context, real []Entry) []Entry {
	has := map[Kind]bool{}
	for _, e := range real {
		if e.Status == "ok" && e.Driver != "" {
			has[e.Kind] = true
		}
	}
	var out []Entry
	if !has[Scanner] {
		r.mu.Lock()
		if r.sim == nil {
			r.sim = usbdev.NewSimBus()
			r.simScan = uru4000.NewSim4000B("SIM-URU-0001", nil)
			r.simInfo = r.sim.Plug(r.simScan)
		}
		sim := r.sim
		r.mu.Unlock()
		infos, _ := sim.List(ctx)
		for _, in := range infos {
			e := usbEntry(in)
			e.bus = sim
			out = append(out, e)
		}
	}
	if !has[Camera] {
		out = append(out, Entry{Key: "sim-camera:0", Kind: Camera, Name: "Synthetic camera",
			Driver: "synthetic", Simulated: true, Status: "ok"})
	}
	return out
}

// SimScanner returns the demo scanner simulator, nil outside demo mode
// or before the first Scan. The demo UI uses it to "place a finger".
func (r *Registry) SimScanner() *uru4000.Sim {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.simScan
}

// Entries returns the result of the last Scan.
func (r *Registry) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...)
}

// Default returns the default device of a kind.
func (r *Registry) Default(k Kind) (Entry, bool) {
	for _, e := range r.Entries() {
		if e.Kind == k && e.Default {
			return e, true
		}
	}
	return Entry{}, false
}

// MarkFaulty records that a device failed (a timeout, garbage data); it
// stays marked until it is unplugged or ClearFault is called.
func (r *Registry) MarkFaulty(key, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults[key] = reason
	for i := range r.entries {
		if r.entries[i].Key == key {
			r.entries[i].Status = "faulty: " + reason
			r.entries[i].Default = false
		}
	}
}

// ClearFault forgets a fault mark.
func (r *Registry) ClearFault(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.faults, key)
}

// Change is one hot-plug event batch.
type Change struct {
	Added, Removed []Entry
}

// Watch rescans every interval until ctx ends and calls fn with what was
// added or removed. Faults of removed devices are forgotten: a replugged
// device starts clean.
func (r *Registry) Watch(ctx context.Context, interval time.Duration, fn func(Change)) {
	prev := map[string]Entry{}
	for _, e := range r.Entries() {
		prev[e.Key] = e
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur, _ := r.Scan(ctx)
		var ch Change
		now := map[string]Entry{}
		for _, e := range cur {
			now[e.Key] = e
			if _, ok := prev[e.Key]; !ok {
				ch.Added = append(ch.Added, e)
			}
		}
		for k, e := range prev {
			if _, ok := now[k]; !ok {
				ch.Removed = append(ch.Removed, e)
				r.ClearFault(k)
			}
		}
		prev = now
		if len(ch.Added)+len(ch.Removed) > 0 {
			fn(ch)
		}
	}
}

// OpenScanner opens the fingerprint scanner of entry e with its driver.
func (r *Registry) OpenScanner(ctx context.Context, e Entry) (finger.Scanner, error) {
	if e.Kind != Scanner || e.USB == nil {
		return nil, fmt.Errorf("registry: %s is not a fingerprint scanner", e.Label())
	}
	bus := e.bus
	if bus == nil {
		return nil, fmt.Errorf("registry: no USB bus for %s", e.Label())
	}
	switch e.Driver {
	case "uru4000":
		s, err := uru4000.Open(ctx, bus, *e.USB)
		if err != nil {
			if errors.Is(err, finger.ErrFaulty) {
				r.MarkFaulty(e.Key, err.Error())
			}
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("registry: no driver for %s (%s)", e.Label(), e.USB.ID())
}

// OpenCamera returns a Source for a camera entry. Real cameras get MJPEG
// when they offer it.
func (r *Registry) OpenCamera(e Entry, width, height int, fps float64) (camera.Source, error) {
	if e.Kind != Camera {
		return nil, fmt.Errorf("registry: %s is not a camera", e.Label())
	}
	if e.Simulated {
		return camera.Synthetic(max(width, 640), max(height, 480), max(fps, 15), DemoFaces(8)), nil
	}
	if e.Video == nil {
		return nil, fmt.Errorf("registry: %s has no V4L2 node", e.Label())
	}
	// Ask for the largest size the camera lists within the request, in
	// MJPEG where offered (raw YUYV at 720p is limited to a few fps by USB 2).
	format := "YUYV"
	if e.Video.HasMJPEG() {
		format = "MJPG"
	}
	if w, h, ok := e.Video.BestSize(format, width, height); ok {
		width, height = w, h
	}
	return camera.Open(camera.Config{Device: e.Video.Path, Width: width, Height: height, FPS: fps,
		MJPEG: e.Video.HasMJPEG()}), nil
}

// DemoFaces loads up to n face photos from the shared data folder for the
// synthetic camera; none when the folder is absent (the camera then draws
// a test pattern).
func DemoFaces(n int) []image.Image {
	d, err := shared.Dir()
	if err != nil {
		return nil
	}
	names, _ := filepath.Glob(filepath.Join(d, "data", "faces", "idols", "*.jpg"))
	sort.Strings(names)
	var out []image.Image
	for _, name := range names {
		if len(out) == n {
			break
		}
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err == nil {
			out = append(out, img)
		}
	}
	return out
}
