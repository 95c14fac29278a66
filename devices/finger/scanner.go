// Package finger defines the fingerprint scanner interface the station
// captures through, the image it returns, and simple image statistics
// used for finger-present detection and technicians' self-tests.
//
// Drivers live in sub-packages (uru4000 for the DigitalPersona U.are.U
// 4000/4000B/4500 family); each ships a simulator that answers the same
// USB transfers, so the drivers' code runs in tests without hardware.
package finger

import (
	"context"
	"errors"
	"image"
	"time"
)

// Errors a Scanner reports, wrapped with context.
var (
	// ErrTimeout: no finger was placed, or the device did not answer,
	// before the deadline.
	ErrTimeout = errors.New("scanner: timed out")
	// ErrCancelled: the caller cancelled the capture.
	ErrCancelled = errors.New("scanner: capture cancelled")
	// ErrDisconnected: the scanner was unplugged; open it again after replug.
	ErrDisconnected = errors.New("scanner: disconnected")
	// ErrFaulty: the scanner answered with malformed data or failed its
	// power-up; it is marked faulty until reopened.
	ErrFaulty = errors.New("scanner: faulty")
	// ErrClosed: the scanner was closed.
	ErrClosed = errors.New("scanner: closed")
)

// Info describes an opened scanner.
type Info struct {
	// Driver is the driver name, e.g. "uru4000".
	Driver string `json:"driver"`
	// Model is the model name from the driver's device table.
	Model string `json:"model"`
	// VendorID and ProductID identify the USB device.
	VendorID  uint16 `json:"vendor_id"`
	ProductID uint16 `json:"product_id"`
	Serial    string `json:"serial,omitempty"`
	// Firmware is the firmware/hardware version the device reports.
	Firmware string `json:"firmware,omitempty"`
	// Width, Height and PPI describe captured images.
	Width  int `json:"width"`
	Height int `json:"height"`
	PPI    int `json:"ppi"`
	// Simulated is true for simulator-backed scanners.
	Simulated bool `json:"simulated"`
}

// Image is one captured fingerprint image.
type Image struct {
	// Gray is the 8-bit grey image, ridges dark on a light background.
	Gray *image.Gray
	// PPI is the resolution in pixels per inch.
	PPI int
	// Captured is when the frame arrived from the device.
	Captured time.Time
	// Simulated is true when a simulator produced the image.
	Simulated bool
}

// CaptureOptions tune Capture.
type CaptureOptions struct {
	// Timeout bounds the whole capture, finger wait included. Zero means
	// DefaultCaptureTimeout.
	Timeout time.Duration
	// Unconditional captures at once without waiting for a finger (used by
	// self-tests to read the empty platen).
	Unconditional bool
}

// DefaultCaptureTimeout is the finger wait when CaptureOptions.Timeout is zero.
const DefaultCaptureTimeout = 20 * time.Second

// Scanner is an opened fingerprint scanner. Its methods are safe for use
// by one capture at a time; Close may be called concurrently to abort.
type Scanner interface {
	// Info describes the scanner.
	Info() Info
	// Capture waits for a finger, then returns its image. It returns
	// ErrTimeout, ErrCancelled (ctx cancelled), ErrDisconnected or
	// ErrFaulty, wrapped.
	Capture(ctx context.Context, opts CaptureOptions) (*Image, error)
	// Preview streams frames to fn until ctx ends, fn returns false, or an
	// error occurs. Frames are delivered as fast as fn takes them; the
	// device is not queued behind a slow fn.
	Preview(ctx context.Context, fn func(*Image) bool) error
	// FingerPresent reports the device's last finger-on/off notification.
	FingerPresent() bool
	// Close powers the sensor down and releases the device.
	Close() error
}
