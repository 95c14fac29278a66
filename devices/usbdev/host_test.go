package usbdev

import (
	"context"
	"errors"
	"testing"
)

// On machines without a USB bus (CI, containers) libusb lists nothing and
// gousb's open finds nothing without an error: Open must still answer
// ErrNotFound, never a nil device.
func TestHostOpenMissing(t *testing.T) {
	h := NewHost()
	defer h.Close()
	devs, err := h.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	t.Logf("%d USB devices on this machine", len(devs))
	d, err := h.Open(context.Background(), 250, 127)
	if d != nil || !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open(250,127) = %v, %v; want ErrNotFound", d, err)
	}
}

func TestSimBusUnplugFailsInFlightRead(t *testing.T) {
	b := NewSimBus()
	info := b.Plug(blockingGadget{})
	d, err := b.Open(context.Background(), info.Bus, info.Address)
	if err != nil {
		t.Fatal(err)
	}
	in, err := d.Claim(1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := in.In(0x81)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := ep.ReadContext(context.Background(), make([]byte, 8)); done <- err }()
	b.Unplug(info.Address)
	if err := <-done; !errors.Is(err, ErrNoDevice) {
		t.Fatalf("read after unplug: %v", err)
	}
	if _, err := b.Open(context.Background(), info.Bus, info.Address); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open unplugged: %v", err)
	}
}

type blockingGadget struct{}

func (blockingGadget) Descriptor() DeviceInfo {
	return DeviceInfo{VendorID: 1, ProductID: 2, Configs: []ConfigInfo{{Number: 1, Interfaces: []InterfaceInfo{{
		Endpoints: []EndpointInfo{{Address: 0x81, Type: "interrupt"}}}}}}}
}
func (blockingGadget) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	return 0, nil
}
func (blockingGadget) Read(ctx context.Context, addr uint8, buf []byte) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}
func (blockingGadget) Write(ctx context.Context, addr uint8, buf []byte) (int, error) { return 0, nil }
