package usbdev

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Gadget is the device side of a simulated USB device: it answers the
// transfers a driver sends, byte for byte as the hardware would.
type Gadget interface {
	// Descriptor returns the device's descriptors, including string
	// descriptors; Bus and Address are assigned by the SimBus.
	Descriptor() DeviceInfo
	// Control answers a control transfer on endpoint 0.
	Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error)
	// Read answers an IN transfer on endpoint addr. It must return when
	// ctx ends.
	Read(ctx context.Context, addr uint8, buf []byte) (int, error)
	// Write answers an OUT transfer on endpoint addr.
	Write(ctx context.Context, addr uint8, buf []byte) (int, error)
}

// SimBus is a Bus of simulated devices. Plug and Unplug model hot-plug:
// transfers in flight when a gadget is unplugged fail with ErrNoDevice,
// exactly as libusb reports a yanked cable.
type SimBus struct {
	number  int
	mu      sync.Mutex
	next    int
	plugged map[int]*simSlot // by address
}

type simSlot struct {
	g    Gadget
	info DeviceInfo
	gone chan struct{}
	// Deny makes Open fail with ErrPermission, as a missing udev rule does.
	deny bool
}

// NewSimBus returns an empty simulated bus. Each SimBus has its own bus
// number from SimBusNumber up, so keys of simulated devices never collide
// with each other or with real buses.
func NewSimBus() *SimBus {
	return &SimBus{number: SimBusNumber + int(simBuses.Add(1)-1), next: 1, plugged: map[int]*simSlot{}}
}

// SimBusNumber is the bus number of the first simulated bus.
const SimBusNumber = 90

var simBuses atomic.Int32

// Plug attaches g and returns its assigned descriptor.
func (b *SimBus) Plug(g Gadget) DeviceInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	info := g.Descriptor()
	info.Bus, info.Address, info.Port = b.number, b.next, b.next
	info.Simulated = true
	b.next++
	b.plugged[info.Address] = &simSlot{g: g, info: info, gone: make(chan struct{})}
	return info
}

// Unplug detaches the gadget at address; in-flight transfers fail.
func (b *SimBus) Unplug(address int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.plugged[address]; ok {
		close(s.gone)
		delete(b.plugged, address)
	}
}

// DenyAccess makes opening the device at address fail with ErrPermission.
func (b *SimBus) DenyAccess(address int, deny bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.plugged[address]; ok {
		s.deny = deny
	}
}

// List implements Bus.
func (b *SimBus) List(ctx context.Context) ([]DeviceInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]DeviceInfo, 0, len(b.plugged))
	for a := 1; a < b.next; a++ {
		if s, ok := b.plugged[a]; ok {
			info := s.info
			if s.deny {
				info.Access = "permission denied"
				info.Manufacturer, info.Product, info.Serial = "", "", ""
			}
			out = append(out, info)
		}
	}
	return out, nil
}

// Open implements Bus.
func (b *SimBus) Open(ctx context.Context, bus, address int) (Device, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	node := fmt.Sprintf("/dev/bus/usb/%03d/%03d", bus, address)
	s, ok := b.plugged[address]
	if bus != b.number || !ok {
		return nil, fmt.Errorf("open %s: %w", node, ErrNotFound)
	}
	if s.deny {
		return nil, fmt.Errorf("open %s: %w\n%s", node, ErrPermission, UdevHint(node))
	}
	return &simDevice{slot: s}, nil
}

// Close implements Bus.
func (b *SimBus) Close() error { return nil }

type simDevice struct {
	slot   *simSlot
	mu     sync.Mutex
	closed bool
}

func (d *simDevice) Info() DeviceInfo { return d.slot.info }

// guard runs op with a context that ends when the gadget is unplugged,
// and turns that end into ErrNoDevice.
func (d *simDevice) guard(ctx context.Context, op func(ctx context.Context) (int, error)) (int, error) {
	d.mu.Lock()
	closed := d.closed
	d.mu.Unlock()
	if closed {
		return 0, errors.New("usb: device closed")
	}
	select {
	case <-d.slot.gone:
		return 0, ErrNoDevice
	default:
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-d.slot.gone:
			cancel()
		case <-cctx.Done():
		}
	}()
	n, err := op(cctx)
	select {
	case <-d.slot.gone:
		return n, ErrNoDevice
	default:
	}
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return n, fmt.Errorf("%w (%v)", ErrTimeout, ctx.Err())
		}
		return n, ctx.Err()
	}
	return n, err
}

func (d *simDevice) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	n, err := d.guard(ctx, func(ctx context.Context) (int, error) {
		return d.slot.g.Control(ctx, rType, request, value, index, data)
	})
	if err != nil {
		return n, fmt.Errorf("control 0x%02x/0x%02x value 0x%04x: %w", rType, request, value, err)
	}
	return n, nil
}

func (d *simDevice) Claim(cfg, intf, alt int) (Interface, error) {
	for _, c := range d.slot.info.Configs {
		if c.Number != cfg {
			continue
		}
		for _, in := range c.Interfaces {
			if in.Number == intf && in.Alternate == alt {
				return &simInterface{d: d, desc: in}, nil
			}
		}
	}
	return nil, fmt.Errorf("claim interface %d alt %d: %w", intf, alt, ErrNotFound)
}

func (d *simDevice) Close() error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	return nil
}

type simInterface struct {
	d    *simDevice
	desc InterfaceInfo
}

func (i *simInterface) has(addr uint8) bool {
	for _, ep := range i.desc.Endpoints {
		if ep.Address == addr {
			return true
		}
	}
	return false
}

func (i *simInterface) In(addr uint8) (InEndpoint, error) {
	if addr&0x80 == 0 || !i.has(addr) {
		return nil, fmt.Errorf("endpoint 0x%02x: %w", addr, ErrNotFound)
	}
	return simEP{i.d, addr}, nil
}

func (i *simInterface) Out(addr uint8) (OutEndpoint, error) {
	if addr&0x80 != 0 || !i.has(addr) {
		return nil, fmt.Errorf("endpoint 0x%02x: %w", addr, ErrNotFound)
	}
	return simEP{i.d, addr}, nil
}

func (i *simInterface) Release() {}

type simEP struct {
	d    *simDevice
	addr uint8
}

func (e simEP) ReadContext(ctx context.Context, buf []byte) (int, error) {
	return e.d.guard(ctx, func(ctx context.Context) (int, error) { return e.d.slot.g.Read(ctx, e.addr, buf) })
}

func (e simEP) WriteContext(ctx context.Context, buf []byte) (int, error) {
	return e.d.guard(ctx, func(ctx context.Context) (int, error) { return e.d.slot.g.Write(ctx, e.addr, buf) })
}
