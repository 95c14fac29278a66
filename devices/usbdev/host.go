package usbdev

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/google/gousb"
)

// DefaultControlTimeout bounds every control transfer on real hardware
// (gousb's control transfers take no context).
const DefaultControlTimeout = 2 * time.Second

// Host is the Bus of the machine's real USB controllers, through gousb.
// With no USB bus at all (containers, CI) it lists nothing.
type Host struct {
	mu  sync.Mutex
	ctx *gousb.Context
}

// NewHost opens libusb.
func NewHost() *Host { return &Host{ctx: gousb.NewContext()} }

// List implements Bus.
func (h *Host) List(ctx context.Context) ([]DeviceInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var all []DeviceInfo
	devs, err := h.ctx.OpenDevices(func(d *gousb.DeviceDesc) bool {
		all = append(all, infoFromDesc(d))
		return true
	})
	opened := map[[2]int]*gousb.Device{}
	for _, d := range devs {
		if d != nil && d.Desc != nil {
			opened[[2]int{d.Desc.Bus, d.Desc.Address}] = d
		}
	}
	for i := range all {
		d, ok := opened[[2]int{all[i].Bus, all[i].Address}]
		if !ok {
			all[i].Access = "cannot open"
			if err != nil && errors.Is(mapErr(err), ErrPermission) {
				all[i].Access = "permission denied"
			}
			continue
		}
		all[i].Manufacturer, _ = d.Manufacturer()
		all[i].Product, _ = d.Product()
		all[i].Serial, _ = d.SerialNumber()
	}
	for _, d := range devs {
		if d != nil {
			d.Close()
		}
	}
	return all, nil
}

// Open implements Bus.
func (h *Host) Open(ctx context.Context, bus, address int) (Device, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var seen bool
	devs, err := h.ctx.OpenDevices(func(d *gousb.DeviceDesc) bool {
		if d.Bus == bus && d.Address == address {
			seen = true
			return true
		}
		return false
	})
	node := fmt.Sprintf("/dev/bus/usb/%03d/%03d", bus, address)
	// OpenDevices may return nil entries or nothing at all without an
	// error when there is no bus: check both.
	var dev *gousb.Device
	for _, d := range devs {
		if d != nil {
			if dev == nil {
				dev = d
			} else {
				d.Close()
			}
		}
	}
	if dev == nil {
		if err != nil {
			me := mapErr(err)
			if errors.Is(me, ErrPermission) {
				return nil, fmt.Errorf("open %s: %w\n%s", node, me, UdevHint(node))
			}
			return nil, fmt.Errorf("open %s: %w", node, me)
		}
		if seen {
			return nil, fmt.Errorf("open %s: %w", node, ErrPermission)
		}
		return nil, fmt.Errorf("open %s: %w", node, ErrNotFound)
	}
	dev.ControlTimeout = DefaultControlTimeout
	_ = dev.SetAutoDetach(true)
	info := infoFromDesc(dev.Desc)
	info.Manufacturer, _ = dev.Manufacturer()
	info.Product, _ = dev.Product()
	info.Serial, _ = dev.SerialNumber()
	return &hostDevice{dev: dev, info: info}, nil
}

// Close implements Bus.
func (h *Host) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ctx.Close()
}

type hostDevice struct {
	mu   sync.Mutex
	dev  *gousb.Device
	cfg  *gousb.Config
	info DeviceInfo
}

func (d *hostDevice) Info() DeviceInfo { return d.info }

func (d *hostDevice) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	// ControlTimeout is a field of the shared device: one control
	// transfer at a time, each with its own deadline.
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dev == nil {
		return 0, fmt.Errorf("control 0x%02x/0x%02x: device closed", rType, request)
	}
	d.dev.ControlTimeout = DefaultControlTimeout
	if dl, ok := ctx.Deadline(); ok {
		if t := time.Until(dl); t > 0 && t < DefaultControlTimeout {
			d.dev.ControlTimeout = t
		}
	}
	n, err := d.dev.Control(rType, request, value, index, data)
	if err != nil {
		return n, fmt.Errorf("control 0x%02x/0x%02x value 0x%04x: %w", rType, request, value, mapErr(err))
	}
	return n, nil
}

func (d *hostDevice) Claim(cfgNum, intf, alt int) (Interface, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cfg == nil {
		cfg, err := d.dev.Config(cfgNum)
		if err != nil {
			return nil, fmt.Errorf("set configuration %d: %w", cfgNum, mapErr(err))
		}
		d.cfg = cfg
	}
	in, err := d.cfg.Interface(intf, alt)
	if err != nil {
		return nil, fmt.Errorf("claim interface %d alt %d: %w", intf, alt, mapErr(err))
	}
	return &hostInterface{in: in}, nil
}

func (d *hostDevice) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dev == nil {
		return nil
	}
	if d.cfg != nil {
		d.cfg.Close()
		d.cfg = nil
	}
	err := d.dev.Close()
	d.dev = nil
	return err
}

type hostInterface struct{ in *gousb.Interface }

func (i *hostInterface) In(addr uint8) (InEndpoint, error) {
	ep, err := i.in.InEndpoint(int(addr & 0x0f))
	if err != nil {
		return nil, fmt.Errorf("endpoint 0x%02x: %w", addr, mapErr(err))
	}
	return hostIn{ep}, nil
}

func (i *hostInterface) Out(addr uint8) (OutEndpoint, error) {
	ep, err := i.in.OutEndpoint(int(addr & 0x0f))
	if err != nil {
		return nil, fmt.Errorf("endpoint 0x%02x: %w", addr, mapErr(err))
	}
	return hostOut{ep}, nil
}

func (i *hostInterface) Release() { i.in.Close() }

type hostIn struct{ ep *gousb.InEndpoint }

func (e hostIn) ReadContext(ctx context.Context, buf []byte) (int, error) {
	n, err := e.ep.ReadContext(ctx, buf)
	if err != nil {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		return n, mapErr(err)
	}
	return n, nil
}

type hostOut struct{ ep *gousb.OutEndpoint }

func (e hostOut) WriteContext(ctx context.Context, buf []byte) (int, error) {
	n, err := e.ep.WriteContext(ctx, buf)
	if err != nil {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		return n, mapErr(err)
	}
	return n, nil
}

// mapErr turns gousb's libusb codes into this package's errors, keeping
// the original text.
func mapErr(err error) error {
	var target error
	var ue gousb.Error
	var ts gousb.TransferStatus
	switch {
	case errors.As(err, &ue):
		switch ue {
		case gousb.ErrorNoDevice:
			target = ErrNoDevice
		case gousb.ErrorTimeout:
			target = ErrTimeout
		case gousb.ErrorAccess:
			target = ErrPermission
		case gousb.ErrorNotFound:
			target = ErrNotFound
		case gousb.ErrorPipe:
			target = ErrStall
		case gousb.ErrorBusy:
			target = ErrBusy
		}
	case errors.As(err, &ts):
		switch ts {
		case gousb.TransferNoDevice:
			target = ErrNoDevice
		case gousb.TransferTimedOut:
			target = ErrTimeout
		case gousb.TransferStall:
			target = ErrStall
		}
	}
	if target == nil {
		return err
	}
	return fmt.Errorf("%w (%v)", target, err)
}

func infoFromDesc(d *gousb.DeviceDesc) DeviceInfo {
	info := DeviceInfo{
		Bus: d.Bus, Address: d.Address, Port: d.Port, Path: d.Path,
		Speed:         d.Speed.String(),
		USBVersion:    d.Spec.String(),
		DeviceVersion: d.Device.String(),
		VendorID:      uint16(d.Vendor), ProductID: uint16(d.Product),
		Class: uint8(d.Class), SubClass: uint8(d.SubClass), Protocol: uint8(d.Protocol),
	}
	nums := make([]int, 0, len(d.Configs))
	for n := range d.Configs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		c := d.Configs[n]
		ci := ConfigInfo{Number: c.Number, SelfPowered: c.SelfPowered, MaxPowerMA: int(c.MaxPower)}
		for _, in := range c.Interfaces {
			for _, alt := range in.AltSettings {
				ii := InterfaceInfo{Number: alt.Number, Alternate: alt.Alternate,
					Class: uint8(alt.Class), SubClass: uint8(alt.SubClass), Protocol: uint8(alt.Protocol)}
				for a := 0; a < 256; a++ {
					ep, ok := alt.Endpoints[gousb.EndpointAddress(a)]
					if !ok {
						continue
					}
					ii.Endpoints = append(ii.Endpoints, EndpointInfo{
						Address: uint8(ep.Address), Type: ep.TransferType.String(), MaxPacketSize: ep.MaxPacketSize})
				}
				ci.Interfaces = append(ci.Interfaces, ii)
			}
		}
		info.Configs = append(info.Configs, ci)
	}
	return info
}
