package camera

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Device is a V4L2 video node as found on the machine.
type Device struct {
	// Path is the node, e.g. /dev/video0.
	Path string `json:"path"`
	// Name is the kernel's name for it (sysfs), e.g. "HD Webcam: HD Webcam".
	Name string `json:"name"`
	// Driver, Card and BusInfo come from VIDIOC_QUERYCAP.
	Driver  string `json:"driver,omitempty"`
	Card    string `json:"card,omitempty"`
	BusInfo string `json:"bus_info,omitempty"`
	// Capture is true for nodes that deliver video (UVC cameras also
	// expose a metadata node that does not).
	Capture bool `json:"capture"`
	// Formats lists the pixel formats offered (fourcc), e.g. MJPG, YUYV.
	Formats []string `json:"formats,omitempty"`
	// Sizes lists discrete frame sizes per format, e.g. "MJPG 1280x720".
	Sizes []string `json:"sizes,omitempty"`
	// USBID is vvvv:pppp for USB cameras, from sysfs.
	USBID string `json:"usb_id,omitempty"`
	// Access is empty when the node could be opened, otherwise why not.
	Access string `json:"access,omitempty"`
}

// HasMJPEG reports whether the camera offers Motion-JPEG.
func (d Device) HasMJPEG() bool {
	for _, f := range d.Formats {
		if f == "MJPG" {
			return true
		}
	}
	return false
}

// BestSize picks the largest discrete size of format (e.g. "MJPG") not
// above maxW×maxH; ok is false when the camera lists none.
func (d Device) BestSize(format string, maxW, maxH int) (w, h int, ok bool) {
	for _, s := range d.Sizes {
		var f string
		var sw, sh int
		if n, _ := fmt.Sscanf(s, "%s %dx%d", &f, &sw, &sh); n != 3 || f != format {
			continue
		}
		if sw <= maxW && sh <= maxH && sw*sh > w*h {
			w, h, ok = sw, sh, true
		}
	}
	return w, h, ok
}

// Enumerate lists /dev/video* nodes with what the kernel says of them.
func Enumerate() ([]Device, error) {
	paths, err := filepath.Glob("/dev/video*")
	if err != nil {
		return nil, err
	}
	sort.Slice(paths, func(i, j int) bool {
		a, _ := strconv.Atoi(strings.TrimPrefix(paths[i], "/dev/video"))
		b, _ := strconv.Atoi(strings.TrimPrefix(paths[j], "/dev/video"))
		return a < b
	})
	var out []Device
	for _, p := range paths {
		if _, ok := isV4L2(p); !ok {
			continue
		}
		d := Device{Path: p}
		sys := filepath.Join("/sys/class/video4linux", filepath.Base(p))
		if b, err := os.ReadFile(filepath.Join(sys, "name")); err == nil {
			d.Name = strings.TrimSpace(string(b))
		}
		d.USBID = usbIDOf(sys)
		if err := queryV4L2(&d); err != nil {
			if errors.Is(err, os.ErrPermission) {
				d.Access = "permission denied"
			} else {
				d.Access = err.Error()
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// usbIDOf walks up from the node's sysfs device to the USB device and
// reads its idVendor:idProduct.
func usbIDOf(sys string) string {
	dir, err := filepath.EvalSymlinks(filepath.Join(sys, "device"))
	if err != nil {
		return ""
	}
	for i := 0; i < 4 && dir != "/"; i++ {
		v, e1 := os.ReadFile(filepath.Join(dir, "idVendor"))
		p, e2 := os.ReadFile(filepath.Join(dir, "idProduct"))
		if e1 == nil && e2 == nil {
			return strings.TrimSpace(string(v)) + ":" + strings.TrimSpace(string(p))
		}
		dir = filepath.Dir(dir)
	}
	return ""
}

// V4L2 ioctls (linux/videodev2.h).
const (
	vidiocQueryCap     = 0x80685600
	vidiocEnumFmt      = 0xc0405602
	vidiocEnumFrameSz  = 0xc02c564a
	v4l2FrmSizeDiscr   = 1
	v4l2CapVideoCapt   = 0x00000001
	v4l2CapDeviceCaps  = 0x80000000
	v4l2BufTypeCapture = 1
)

type v4l2Capability struct {
	Driver       [16]byte
	Card         [32]byte
	BusInfo      [32]byte
	Version      uint32
	Capabilities uint32
	DeviceCaps   uint32
	Reserved     [3]uint32
}

type v4l2FmtDesc struct {
	Index       uint32
	Type        uint32
	Flags       uint32
	Description [32]byte
	PixelFormat uint32
	MbusCode    uint32
	Reserved    [3]uint32
}

type v4l2FrmSizeEnum struct {
	Index       uint32
	PixelFormat uint32
	Type        uint32
	Width       uint32 // discrete width, or stepwise min_width
	Height      uint32 // discrete height, or stepwise max_width
	Stepwise    [4]uint32
	Reserved    [2]uint32
}

func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func queryV4L2(d *Device) error {
	fd, err := unix.Open(d.Path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
			return fmt.Errorf("%s: %w", d.Path, os.ErrPermission)
		}
		return fmt.Errorf("%s: %w", d.Path, err)
	}
	defer unix.Close(fd)
	var c v4l2Capability
	if err := ioctl(fd, vidiocQueryCap, unsafe.Pointer(&c)); err != nil {
		return fmt.Errorf("%s: VIDIOC_QUERYCAP: %w", d.Path, err)
	}
	d.Driver, d.Card, d.BusInfo = cstr(c.Driver[:]), cstr(c.Card[:]), cstr(c.BusInfo[:])
	caps := c.Capabilities
	if caps&v4l2CapDeviceCaps != 0 {
		caps = c.DeviceCaps
	}
	d.Capture = caps&v4l2CapVideoCapt != 0
	for i := uint32(0); d.Capture && i < 32; i++ {
		f := v4l2FmtDesc{Index: i, Type: v4l2BufTypeCapture}
		if ioctl(fd, vidiocEnumFmt, unsafe.Pointer(&f)) != nil {
			break
		}
		pf := f.PixelFormat
		name := string([]byte{byte(pf), byte(pf >> 8), byte(pf >> 16), byte(pf >> 24)})
		d.Formats = append(d.Formats, name)
		for j := uint32(0); j < 64; j++ {
			fs := v4l2FrmSizeEnum{Index: j, PixelFormat: pf}
			if ioctl(fd, vidiocEnumFrameSz, unsafe.Pointer(&fs)) != nil || fs.Type != v4l2FrmSizeDiscr {
				break
			}
			d.Sizes = append(d.Sizes, fmt.Sprintf("%s %dx%d", name, fs.Width, fs.Height))
		}
	}
	return nil
}

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
	if e != 0 {
		return e
	}
	return nil
}

// UdevHint is the message shown when a video node cannot be opened.
func UdevHint(node string) string {
	return fmt.Sprintf("permission denied on %s: add the station user to the video group (sudo usermod -aG video $USER) or install the station's udev rules (scripts/udev/99-dinhdanh.rules into /etc/udev/rules.d/, then sudo udevadm control --reload-rules && sudo udevadm trigger)", node)
}
