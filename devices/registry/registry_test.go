package registry

import (
	"context"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/camera"
	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/finger/uru4000"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

func noCameras() ([]camera.Device, error) { return nil, nil }

func imgs() []*image.Gray { return []*image.Gray{finger.SyntheticRidges(300, 300, 3)} }

// ccidGadget is a descriptor-only CCID reader for enumeration tests.
type ccidGadget struct{ usbdev.Gadget }

func (ccidGadget) Descriptor() usbdev.DeviceInfo {
	return usbdev.DeviceInfo{VendorID: 0x076b, ProductID: 0x5421, Product: "OMNIKEY 5421",
		Configs: []usbdev.ConfigInfo{{Number: 1, Interfaces: []usbdev.InterfaceInfo{{Class: 0x0b}}}}}
}

func TestScanPicksDriversAndDefaults(t *testing.T) {
	bus := usbdev.NewSimBus()
	bus.Plug(ccidGadget{})
	bus.Plug(uru4000.NewSim4000B("A1", imgs()))
	cams := func() ([]camera.Device, error) {
		return []camera.Device{{Path: "/dev/video0", Card: "HD Webcam", Capture: true, Formats: []string{"MJPG", "YUYV"}},
			{Path: "/dev/video1", Card: "HD Webcam"}}, nil // metadata node
	}
	r := New(Options{USB: bus, Video: cams})
	es, err := r.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 3 {
		t.Fatalf("entries %+v", es)
	}
	sc, ok := r.Default(Scanner)
	if !ok || sc.Driver != "uru4000" || sc.USB.Serial != "A1" || sc.USB.ID() != "05ba:000a" {
		t.Fatalf("default scanner %+v", sc)
	}
	cr, ok := r.Default(CardReader)
	if !ok || cr.Driver != "ccid" {
		t.Fatalf("default card reader %+v", cr)
	}
	cam, ok := r.Default(Camera)
	if !ok || cam.Video.Path != "/dev/video0" || !cam.Video.HasMJPEG() {
		t.Fatalf("default camera %+v", cam)
	}
	r.MarkFaulty(sc.Key, "stalled")
	if _, ok := r.Default(Scanner); ok {
		t.Fatal("faulty scanner still default")
	}
	es, _ = r.Scan(context.Background())
	for _, e := range es {
		if e.Key == sc.Key && !strings.HasPrefix(e.Status, "faulty") {
			t.Fatalf("fault forgotten on rescan: %+v", e)
		}
	}
}

func TestPermissionDeniedNamesUdevRule(t *testing.T) {
	bus := usbdev.NewSimBus()
	in := bus.Plug(uru4000.NewSim4000B("A2", imgs()))
	bus.DenyAccess(in.Address, true)
	r := New(Options{USB: bus, Video: noCameras})
	es, _ := r.Scan(context.Background())
	if len(es) != 1 || !strings.Contains(es[0].Status, usbdev.UdevRulesPath) || es[0].Default {
		t.Fatalf("entry %+v", es)
	}
	if _, err := r.OpenScanner(context.Background(), es[0]); err == nil || !strings.Contains(err.Error(), usbdev.UdevRulesPath) {
		t.Fatalf("open error %v does not name the udev rules", err)
	}
}

func TestCameraPermissionDenied(t *testing.T) {
	r := New(Options{Video: func() ([]camera.Device, error) {
		return []camera.Device{{Path: "/dev/video0", Name: "Webcam", Access: "permission denied"}}, nil
	}})
	es, _ := r.Scan(context.Background())
	if len(es) != 1 || es[0].Default || !strings.Contains(es[0].Status, "video group") || !strings.Contains(es[0].Status, "99-dinhdanh.rules") {
		t.Fatalf("entry %+v", es)
	}
}

func TestHotPlug(t *testing.T) {
	bus := usbdev.NewSimBus()
	r := New(Options{USB: bus, Video: noCameras})
	r.Scan(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan Change, 4)
	go r.Watch(ctx, 10*time.Millisecond, func(c Change) { changes <- c })
	in := bus.Plug(uru4000.NewSim4000B("HP", imgs()))
	c := <-changes
	if len(c.Added) != 1 || c.Added[0].Driver != "uru4000" {
		t.Fatalf("plug: %+v", c)
	}
	bus.Unplug(in.Address)
	c = <-changes
	if len(c.Removed) != 1 {
		t.Fatalf("unplug: %+v", c)
	}
}

func TestDemoFallsBackToSimulators(t *testing.T) {
	r := New(Options{USB: usbdev.NewSimBus(), Video: noCameras, Demo: true})
	es, err := r.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []Kind
	for _, e := range es {
		if !e.Simulated || !strings.Contains(e.Label(), SimulatedMarker) || !e.Default {
			t.Fatalf("demo entry %+v label %q", e, e.Label())
		}
		kinds = append(kinds, e.Kind)
	}
	if len(es) != 2 {
		t.Fatalf("demo entries: %v", kinds)
	}
	sc, _ := r.Default(Scanner)
	s, err := r.OpenScanner(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r.SimScanner().PlaceFinger()
	img, err := s.Capture(context.Background(), finger.CaptureOptions{Timeout: 5 * time.Second})
	if err != nil || !img.Simulated {
		t.Fatalf("demo capture: %v", err)
	}
	cam, _ := r.Default(Camera)
	src, err := r.OpenCamera(cam, 320, 240, 30)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Open(); err != nil {
		t.Fatal(err)
	}
	f := <-src.Frames()
	src.Close()
	if !f.Simulated {
		t.Fatal("demo camera frame not marked simulated")
	}
	// Rescanning does not plug a second simulator.
	es2, _ := r.Scan(context.Background())
	if len(es2) != 2 {
		t.Fatalf("rescan: %d entries", len(es2))
	}
}
