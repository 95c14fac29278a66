package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/diag"
	"github.com/dinhdanh/dinhdanh/devices/diag/chipreaders"
	"github.com/dinhdanh/dinhdanh/devices/registry"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

func init() {
	register(command{Name: "diag", Summary: "technicians' device diagnostics: list devices, self-test, export a report", Run: runDiag})
}

func runDiag(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		list, asJSON, noBio                       *bool
		jsonOut, htmlOut, only, testMRZ, operator *string
		frames                                    *int
		fingerWait                                *time.Duration
	)
	cfg, _, err := parseConfig("diag", args, stderr, func(fs *flag.FlagSet) {
		list = fs.Bool("list", false, "only list devices with their drivers and USB descriptors (JSON with -json)")
		asJSON = fs.Bool("json", false, "with -list: print the device list as JSON")
		jsonOut = fs.String("report", "", "write the report as JSON to `FILE`")
		htmlOut = fs.String("html", "", "write the report as HTML with the test images to `FILE`")
		only = fs.String("only", "", "test only devices of this kind (camera, fingerprint-scanner, card-reader) or this device key")
		frames = fs.Int("frames", 30, "frames the camera test reads")
		fingerWait = fs.Duration("finger-timeout", 15*time.Second, "how long to wait for the test finger")
		noBio = fs.Bool("no-biometric-images", false, "leave camera frames and the test finger out of the report")
		testMRZ = fs.String("test-mrz", "", "MRZ of the office's test card (3 lines, \\n between them) for the full card read")
		operator = fs.String("operator", os.Getenv("USER"), "technician name for the report and the audit log")
	})
	if err != nil {
		return err
	}
	// -demo (the shared setting) stands simulators in for missing devices,
	// marked [SIMULATED] in the report.
	demo := &cfg.Demo
	// Every run is audited: which devices were tested, by whom, with what result.
	st, err := openStation(ctx, cfg, openOptions{})
	if err != nil {
		return fmt.Errorf("open the station's audit log: %w", err)
	}
	defer st.Close()
	host := usbdev.NewHost()
	defer host.Close()
	reg := registry.New(registry.Options{USB: host, Demo: *demo})
	if *list {
		es, err := reg.Scan(ctx)
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if jerr := enc.Encode(es); jerr != nil {
				return jerr
			}
		} else {
			diag.WriteDevices(stdout, es)
		}
		return err
	}
	rep, err := diag.Run(ctx, diag.Options{
		Registry: reg, Demo: *demo, Version: version, Operator: *operator, Recorder: st.Log,
		CardReaders: chipreaders.Source{Demo: *demo}, FullRead: chipreaders.FullRead(*testMRZ, cfg.CSCAPaths()),
		CameraFrames: *frames, FingerTimeout: *fingerWait, NoBiometricImages: *noBio, Only: *only,
		Prompt: func(msg string) { fmt.Fprintln(stderr, ">>> "+msg) },
	})
	if rep != nil {
		rep.WriteText(stdout)
		if *jsonOut != "" {
			if werr := writeFileWith(*jsonOut, rep.WriteJSON); werr != nil {
				return werr
			}
			fmt.Fprintf(stdout, "report written to %s\n", *jsonOut)
		}
		if *htmlOut != "" {
			if werr := writeFileWith(*htmlOut, rep.WriteHTML); werr != nil {
				return werr
			}
			fmt.Fprintf(stdout, "HTML report written to %s\n", *htmlOut)
		}
	}
	if err != nil {
		return err
	}
	if rep.Summary.Failed > 0 {
		return &exitError{Code: 3, Err: fmt.Errorf("%d self-test(s) failed", rep.Summary.Failed)}
	}
	return nil
}

// writeFileWith writes a report file atomically: a half-written report
// must never be mailed to support.
func writeFileWith(name string, write func(io.Writer) error) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, name)
}
