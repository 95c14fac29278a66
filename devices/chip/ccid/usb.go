package ccid

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/gousb"
)

// classCCID is the USB interface class of smart-card readers.
const classCCID = 0x0B

// Info describes a CCID reader found on the USB bus.
type Info struct {
	Vendor, Product gousb.ID
	Bus, Address    int
	Name            string
}

func (i Info) String() string {
	return fmt.Sprintf("%s [%s:%s bus %d addr %d]", i.Name, i.Vendor, i.Product, i.Bus, i.Address)
}

func hasCCID(desc *gousb.DeviceDesc) bool {
	for _, cfg := range desc.Configs {
		for _, intf := range cfg.Interfaces {
			for _, alt := range intf.AltSettings {
				if alt.Class == classCCID {
					return true
				}
			}
		}
	}
	return false
}

// List returns the CCID readers on the USB bus. With no USB bus (a
// container) it returns none.
func List(ctx *gousb.Context) ([]Info, error) {
	devs, err := ctx.OpenDevices(hasCCID)
	defer func() {
		for _, d := range devs {
			d.Close()
		}
	}()
	var out []Info
	for _, d := range devs {
		if d == nil {
			continue
		}
		name, _ := d.Product()
		out = append(out, Info{Vendor: d.Desc.Vendor, Product: d.Desc.Product, Bus: d.Desc.Bus, Address: d.Desc.Address, Name: name})
	}
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("ccid: list USB devices: %w", err)
	}
	return out, nil
}

// USBDevice is a claimed CCID interface on real hardware.
type USBDevice struct {
	dev   *gousb.Device
	cfg   *gousb.Config
	intf  *gousb.Interface
	out   *gousb.OutEndpoint
	in    *gousb.InEndpoint
	intr  *gousb.InEndpoint
	class []byte
}

// ErrNotFound is returned when no matching reader is attached.
var ErrNotFound = errors.New("ccid: reader not found")

// OpenUSB opens the reader with the given IDs (the first CCID reader when
// both are 0), claims its CCID interface and finds its endpoints.
func OpenUSB(ctx *gousb.Context, vid, pid gousb.ID) (*USBDevice, error) {
	var dev *gousb.Device
	if vid == 0 && pid == 0 {
		devs, _ := ctx.OpenDevices(hasCCID)
		for i, d := range devs {
			if i == 0 {
				dev = d
			} else if d != nil {
				d.Close()
			}
		}
	} else {
		var err error
		if dev, err = ctx.OpenDeviceWithVIDPID(vid, pid); err != nil {
			return nil, fmt.Errorf("ccid: open %s:%s: %w", vid, pid, err)
		}
	}
	if dev == nil { // gousb returns (nil, nil) when nothing matches
		return nil, ErrNotFound
	}
	u, err := claim(dev)
	if err != nil {
		dev.Close()
		return nil, err
	}
	return u, nil
}

func claim(dev *gousb.Device) (*USBDevice, error) {
	dev.SetAutoDetach(true)
	for _, cd := range dev.Desc.Configs {
		for _, id := range cd.Interfaces {
			for _, alt := range id.AltSettings {
				if alt.Class != classCCID {
					continue
				}
				class, err := classDescriptor(dev, cd.Number, alt.Number)
				if err != nil {
					return nil, err
				}
				cfg, err := dev.Config(cd.Number)
				if err != nil {
					return nil, fmt.Errorf("ccid: config %d: %w", cd.Number, err)
				}
				intf, err := cfg.Interface(alt.Number, alt.Alternate)
				if err != nil {
					cfg.Close()
					return nil, fmt.Errorf("ccid: claim interface %d: %w", alt.Number, err)
				}
				u := &USBDevice{dev: dev, cfg: cfg, intf: intf, class: class}
				for addr, ep := range alt.Endpoints {
					switch {
					case ep.TransferType == gousb.TransferTypeBulk && ep.Direction == gousb.EndpointDirectionOut:
						u.out, err = intf.OutEndpoint(ep.Number)
					case ep.TransferType == gousb.TransferTypeBulk && ep.Direction == gousb.EndpointDirectionIn:
						u.in, err = intf.InEndpoint(ep.Number)
					case ep.TransferType == gousb.TransferTypeInterrupt && ep.Direction == gousb.EndpointDirectionIn:
						u.intr, err = intf.InEndpoint(ep.Number)
					}
					if err != nil {
						u.Close()
						return nil, fmt.Errorf("ccid: endpoint %v: %w", addr, err)
					}
				}
				if u.out == nil || u.in == nil {
					u.Close()
					return nil, errors.New("ccid: interface lacks bulk endpoints")
				}
				return u, nil
			}
		}
	}
	return nil, errors.New("ccid: device has no CCID interface")
}

// classDescriptor reads the configuration descriptor with a standard
// GET_DESCRIPTOR request and returns the 0x21 descriptor that follows the
// CCID interface descriptor (gousb does not expose "extra" descriptors).
func classDescriptor(dev *gousb.Device, cfgNum, intfNum int) ([]byte, error) {
	buf := make([]byte, 1024)
	var raw []byte
	for idx := 0; idx < len(dev.Desc.Configs) && raw == nil; idx++ {
		n, err := dev.Control(0x80, 0x06, 0x0200|uint16(idx), 0, buf)
		if err != nil {
			return nil, fmt.Errorf("ccid: get configuration descriptor: %w", err)
		}
		if n >= 9 && int(buf[5]) == cfgNum {
			raw = buf[:n]
		}
	}
	inCCID := false
	for i := 0; i+2 <= len(raw); {
		l, typ := int(raw[i]), raw[i+1]
		if l < 2 || i+l > len(raw) {
			break
		}
		switch {
		case typ == 0x04 && l >= 9:
			inCCID = int(raw[i+2]) == intfNum && raw[i+5] == classCCID
		case typ == 0x21 && inCCID:
			return append([]byte(nil), raw[i:i+l]...), nil
		}
		i += l
	}
	return nil, errors.New("ccid: no CCID class descriptor")
}

// BulkOut implements Device.
func (u *USBDevice) BulkOut(ctx context.Context, b []byte) error {
	_, err := u.out.WriteContext(ctx, b)
	return err
}

// BulkIn implements Device.
func (u *USBDevice) BulkIn(ctx context.Context, buf []byte) (int, error) {
	return u.in.ReadContext(ctx, buf)
}

// InterruptIn implements Device.
func (u *USBDevice) InterruptIn(ctx context.Context, buf []byte) (int, error) {
	if u.intr == nil {
		return 0, ErrNoInterrupt
	}
	return u.intr.ReadContext(ctx, buf)
}

// ClassDescriptor implements Device.
func (u *USBDevice) ClassDescriptor() []byte { return u.class }

// Close releases the interface and the device.
func (u *USBDevice) Close() error {
	if u.intf != nil {
		u.intf.Close()
	}
	if u.cfg != nil {
		u.cfg.Close()
	}
	return u.dev.Close()
}
