// Package usbdev is the thin seam between device drivers and USB.
//
// Drivers (the fingerprint scanner driver, the CCID reader driver) talk to a
// Device through this package's interfaces only: control transfers,
// claimed interfaces, and bulk or interrupt endpoints. Two buses implement
// them: Host, which wraps gousb and reaches real hardware, and SimBus, which
// hands the very same transfers to simulated devices (Gadgets) in Go. The
// drivers' code paths are therefore identical in tests and on a desk.
package usbdev

import (
	"context"
	"errors"
	"fmt"
)

// Errors every Bus and Device reports, wrapped with context. Drivers test
// them with errors.Is.
var (
	// ErrNoDevice means the device is gone: unplugged, or reset.
	ErrNoDevice = errors.New("usb: device disconnected")
	// ErrTimeout means the device did not answer within the deadline.
	ErrTimeout = errors.New("usb: device did not answer in time")
	// ErrPermission means the operating system refused access to the device
	// node (/dev/bus/usb/...); see UdevHint.
	ErrPermission = errors.New("usb: permission denied")
	// ErrNotFound means no attached device matches.
	ErrNotFound = errors.New("usb: device not found")
	// ErrStall means the device stalled the endpoint (refused the request).
	ErrStall = errors.New("usb: endpoint stalled")
	// ErrBusy means another program (or kernel driver) holds the interface.
	ErrBusy = errors.New("usb: device busy")
)

// UdevRulesPath is where the project ships its udev rules, relative to the
// repository root, and where install puts them on a station.
const (
	UdevRulesPath      = "scripts/udev/99-dinhdanh.rules"
	UdevInstalledPath  = "/etc/udev/rules.d/99-dinhdanh.rules"
	udevInstallCommand = "sudo install -m 0644 " + UdevRulesPath + " " + UdevInstalledPath +
		" && sudo udevadm control --reload-rules && sudo udevadm trigger"
)

// UdevHint is the message shown to a technician when access to a device
// node is denied.
func UdevHint(node string) string {
	return fmt.Sprintf("permission denied on %s: install the station's udev rules (%s) with\n  %s\nthen unplug and replug the device (the station user must be in the plugdev and video groups)",
		node, UdevRulesPath, udevInstallCommand)
}

// Transfer request types for Control (bmRequestType bits).
const (
	DirIn        uint8 = 0x80
	DirOut       uint8 = 0x00
	TypeStandard uint8 = 0x00
	TypeClass    uint8 = 0x20
	TypeVendor   uint8 = 0x40
	RecipDevice  uint8 = 0x00
	RecipIntf    uint8 = 0x01
)

// Bus enumerates and opens USB devices.
type Bus interface {
	// List returns every attached device's descriptors. String
	// descriptors are filled where the device could be opened; Access
	// records why not otherwise.
	List(ctx context.Context) ([]DeviceInfo, error)
	// Open opens the device at bus/address. It returns ErrNotFound when
	// nothing is there and ErrPermission when access is refused.
	Open(ctx context.Context, bus, address int) (Device, error)
	// Close releases the bus. Devices opened from it must be closed first.
	Close() error
}

// Device is an opened USB device.
type Device interface {
	// Info returns the device's descriptors, with string descriptors.
	Info() DeviceInfo
	// Control performs a control transfer on endpoint 0. For IN requests
	// data receives the answer; the count of bytes moved is returned.
	Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error)
	// Claim selects configuration cfg and claims interface intf with
	// alternate setting alt, detaching a kernel driver if one holds it.
	Claim(cfg, intf, alt int) (Interface, error)
	// Close closes the device. It is safe to call more than once.
	Close() error
}

// Interface is a claimed USB interface.
type Interface interface {
	// In opens the IN endpoint with address addr (e.g. 0x82).
	In(addr uint8) (InEndpoint, error)
	// Out opens the OUT endpoint with address addr (e.g. 0x02).
	Out(addr uint8) (OutEndpoint, error)
	// Release gives the interface back.
	Release()
}

// InEndpoint reads bulk or interrupt transfers. The read ends when data
// arrives, the context ends (the transfer is cancelled), or the device goes.
type InEndpoint interface {
	ReadContext(ctx context.Context, buf []byte) (int, error)
}

// OutEndpoint writes bulk or interrupt transfers.
type OutEndpoint interface {
	WriteContext(ctx context.Context, buf []byte) (int, error)
}

// DeviceInfo is what a technician and the registry need to know about an
// attached device: where it is, what it says it is, and its descriptors.
type DeviceInfo struct {
	Bus     int   `json:"bus"`
	Address int   `json:"address"`
	Port    int   `json:"port"`
	Path    []int `json:"path,omitempty"`
	// Speed is the negotiated speed ("high", "full", ...).
	Speed string `json:"speed"`
	// USBVersion and DeviceVersion are bcdUSB and bcdDevice as "2.00".
	USBVersion    string `json:"usb_version"`
	DeviceVersion string `json:"device_version"`
	VendorID      uint16 `json:"vendor_id"`
	ProductID     uint16 `json:"product_id"`
	Class         uint8  `json:"class"`
	SubClass      uint8  `json:"subclass"`
	Protocol      uint8  `json:"protocol"`
	Manufacturer  string `json:"manufacturer,omitempty"`
	Product       string `json:"product,omitempty"`
	Serial        string `json:"serial,omitempty"`
	// Access is empty when the device could be opened, otherwise the
	// reason (e.g. "permission denied").
	Access  string       `json:"access,omitempty"`
	Configs []ConfigInfo `json:"configs,omitempty"`
	// Simulated marks devices on a SimBus.
	Simulated bool `json:"simulated"`
}

// ConfigInfo is one configuration descriptor.
type ConfigInfo struct {
	Number      int             `json:"number"`
	SelfPowered bool            `json:"self_powered"`
	MaxPowerMA  int             `json:"max_power_ma"`
	Interfaces  []InterfaceInfo `json:"interfaces"`
}

// InterfaceInfo is one interface alternate setting.
type InterfaceInfo struct {
	Number    int            `json:"number"`
	Alternate int            `json:"alternate"`
	Class     uint8          `json:"class"`
	SubClass  uint8          `json:"subclass"`
	Protocol  uint8          `json:"protocol"`
	Endpoints []EndpointInfo `json:"endpoints"`
}

// EndpointInfo is one endpoint descriptor.
type EndpointInfo struct {
	Address       uint8  `json:"address"`
	Type          string `json:"type"` // control, isochronous, bulk, interrupt
	MaxPacketSize int    `json:"max_packet_size"`
}

// ID returns "vvvv:pppp" in lower-case hex, as lsusb prints it.
func (d DeviceInfo) ID() string { return fmt.Sprintf("%04x:%04x", d.VendorID, d.ProductID) }

// Node returns the device node path /dev/bus/usb/BBB/DDD.
func (d DeviceInfo) Node() string { return fmt.Sprintf("/dev/bus/usb/%03d/%03d", d.Bus, d.Address) }

// Key identifies the device on its bus while it stays plugged in.
func (d DeviceInfo) Key() string {
	if d.Simulated {
		return fmt.Sprintf("sim-usb:%d-%d", d.Bus, d.Address)
	}
	return fmt.Sprintf("usb:%d-%d", d.Bus, d.Address)
}

// HasInterfaceClass reports whether any interface of any configuration
// has class c (e.g. 0x0b for CCID smart-card readers).
func (d DeviceInfo) HasInterfaceClass(c uint8) bool {
	if d.Class == c {
		return true
	}
	for _, cfg := range d.Configs {
		for _, in := range cfg.Interfaces {
			if in.Class == c {
				return true
			}
		}
	}
	return false
}

// ClassName names well-known USB class codes for reports.
func ClassName(c uint8) string {
	switch c {
	case 0x00:
		return "per-interface"
	case 0x01:
		return "audio"
	case 0x02:
		return "communications"
	case 0x03:
		return "HID"
	case 0x07:
		return "printer"
	case 0x08:
		return "mass storage"
	case 0x09:
		return "hub"
	case 0x0b:
		return "smart card (CCID)"
	case 0x0e:
		return "video"
	case 0xe0:
		return "wireless"
	case 0xef:
		return "miscellaneous"
	case 0xff:
		return "vendor specific"
	}
	return fmt.Sprintf("0x%02x", c)
}
