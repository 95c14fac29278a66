// Package diag is the technicians' diagnostics mode: it lists every
// device with its USB descriptors and driver, runs a self-test per device
// with pass/fail and numbers, and produces a report (JSON, and HTML with
// the test images) an office can send to support.
//
// Every test is bounded by a timeout: a device that stalls or answers
// garbage fails its test with a message saying so, and is marked faulty
// in the registry; it never hangs the run.
package diag

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/registry"
	"github.com/dinhdanh/dinhdanh/station/audit"
)

// Status of one test.
type Status string

// Test outcomes.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Skip: the test could not run (no finger placed, no card inserted,
	// transport not available); it says nothing about the device.
	Skip Status = "skip"
)

// Image is a picture taken during a test, PNG-encoded.
type Image struct {
	Name string `json:"name"`
	// PNG is the encoded image (base64 in JSON).
	PNG []byte `json:"png"`
	// Biometric marks images of a person (a test finger, a face).
	Biometric bool `json:"biometric"`
}

// Result is one self-test of one device.
type Result struct {
	// Device is the registry key; Label the name shown, with the
	// SIMULATED marker for simulators.
	Device    string        `json:"device"`
	Label     string        `json:"label"`
	Kind      registry.Kind `json:"kind"`
	Simulated bool          `json:"simulated"`
	// Test names the check, e.g. "camera.capture".
	Test    string `json:"test"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	// Metrics are the numbers measured (fps, ms_per_capture, ...).
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// Facts are descriptive values (firmware, fourcc, ATR, transport).
	Facts      map[string]string `json:"facts,omitempty"`
	Images     []Image           `json:"images,omitempty"`
	DurationMS float64           `json:"duration_ms"`
}

// Summary counts results by status.
type Summary struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Report is the outcome of one diagnostics run.
type Report struct {
	// Format identifies the report layout for support tools.
	Format   string           `json:"format"`
	Station  string           `json:"station"`
	Version  string           `json:"version"`
	Operator string           `json:"operator,omitempty"`
	Started  time.Time        `json:"started"`
	Finished time.Time        `json:"finished"`
	Demo     bool             `json:"demo"`
	Devices  []registry.Entry `json:"devices"`
	Results  []Result         `json:"results"`
	Summary  Summary          `json:"summary"`
	// Notes carry run-level facts (what is not tested and why).
	Notes []string `json:"notes,omitempty"`
}

// AuditAction is the action of the audit entry every run records.
const AuditAction = audit.DiagnosticsRun

// ReportFormat is the value of Report.Format.
const ReportFormat = "dinhdanh-diag/1"

// Options configure a run.
type Options struct {
	Registry *registry.Registry
	// CardReaders lists card readers for their self-test; nil when no
	// transport is available.
	CardReaders CardReaderSource
	// FullRead reads a test card completely (BAC, DG1, DG2, SOD); nil
	// when the chip layer is not available.
	FullRead FullReader
	// Demo marks the run as demo mode (simulators stand in).
	Demo bool
	// Version is the station build version.
	Version string
	// Operator is the technician's user name, for the audit log.
	Operator string
	// Recorder receives an AuditAction entry for the run; may be nil.
	Recorder audit.Recorder
	// Prompt tells the technician what to do (e.g. "place a finger on
	// the scanner"); may be nil.
	Prompt func(msg string)
	// CameraFrames is how many frames the camera test reads (default 30).
	CameraFrames int
	// CameraTimeout bounds the camera test (default 10 s).
	CameraTimeout time.Duration
	// FingerTimeout bounds the wait for a test finger (default 15 s).
	FingerTimeout time.Duration
	// NoBiometricImages leaves images of fingers and faces out of the report.
	NoBiometricImages bool
	// Only limits the run to devices whose key or kind matches; empty
	// means all.
	Only string
}

func (o *Options) defaults() {
	if o.CameraFrames <= 0 {
		o.CameraFrames = 30
	}
	if o.CameraTimeout <= 0 {
		o.CameraTimeout = 10 * time.Second
	}
	if o.FingerTimeout <= 0 {
		o.FingerTimeout = 15 * time.Second
	}
	if o.Prompt == nil {
		o.Prompt = func(string) {}
	}
}

// Run enumerates devices, runs every self-test, and returns the report.
// The error reports a failure to enumerate or to write the audit entry;
// failed tests are in the report, not in the error.
func Run(ctx context.Context, opts Options) (*Report, error) {
	opts.defaults()
	host, _ := os.Hostname()
	rep := &Report{Format: ReportFormat, Station: host, Version: opts.Version, Operator: opts.Operator,
		Started: time.Now().UTC(), Demo: opts.Demo}
	var scanErr error
	if opts.Registry != nil {
		rep.Devices, scanErr = opts.Registry.Scan(ctx)
	}
	for _, e := range rep.Devices {
		if opts.Only != "" && opts.Only != e.Key && opts.Only != string(e.Kind) {
			continue
		}
		switch e.Kind {
		case registry.Camera:
			rep.add(testCamera(ctx, opts, e))
		case registry.Scanner:
			rep.add(testScanner(ctx, opts, e)...)
		case registry.CardReader:
			if opts.CardReaders == nil {
				rep.add(Result{Device: e.Key, Label: e.Label(), Kind: e.Kind, Simulated: e.Simulated,
					Test: "cardreader.usb", Status: Skip,
					Message: "CCID reader found on USB; its self-test runs through the card-reader transports (PC/SC, CCID), which are not available in this build"})
			}
		}
	}
	if opts.Only == "" || opts.Only == string(registry.CardReader) {
		rep.add(testCardReaders(ctx, opts)...)
	}
	if opts.CardReaders == nil {
		rep.Notes = append(rep.Notes, "card readers: self-test not available in this build (waiting for the chip transports: PC/SC and CCID)")
	}
	if opts.FullRead == nil {
		rep.Notes = append(rep.Notes, "card readers: full test-card read not available in this build (needs the chip reading layer)")
	}
	if !opts.Demo {
		for _, e := range rep.Devices {
			if e.Simulated {
				rep.Notes = append(rep.Notes, "simulated devices present: "+e.Label())
				break
			}
		}
	}
	rep.Finished = time.Now().UTC()
	if err := record(ctx, opts, rep); err != nil {
		return rep, err
	}
	if scanErr != nil {
		return rep, fmt.Errorf("diag: enumerate devices: %w", scanErr)
	}
	return rep, nil
}

func (r *Report) add(rs ...Result) {
	for _, res := range rs {
		switch res.Status {
		case Pass:
			r.Summary.Passed++
		case Fail:
			r.Summary.Failed++
		default:
			r.Summary.Skipped++
		}
		r.Results = append(r.Results, res)
	}
}

func record(ctx context.Context, opts Options, rep *Report) error {
	if opts.Recorder == nil {
		return nil
	}
	outcome := "ok"
	if rep.Summary.Failed > 0 {
		outcome = "failed"
	}
	actor := opts.Operator
	if actor == "" {
		actor = "technician"
	}
	err := opts.Recorder.Record(ctx, audit.Entry{
		Actor: actor, Role: "technician", Action: AuditAction, Object: "station:" + rep.Station,
		Outcome: outcome,
		Detail: map[string]string{
			"devices": strconv.Itoa(len(rep.Devices)),
			"passed":  strconv.Itoa(rep.Summary.Passed),
			"failed":  strconv.Itoa(rep.Summary.Failed),
			"skipped": strconv.Itoa(rep.Summary.Skipped),
			"demo":    strconv.FormatBool(rep.Demo),
		},
	})
	if err != nil {
		return fmt.Errorf("diag: audit: %w", err)
	}
	return nil
}

func since(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
