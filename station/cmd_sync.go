package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dinhdanh/dinhdanh/sync/client"
	"github.com/dinhdanh/dinhdanh/sync/job"
)

func init() {
	register(command{Name: "sync", Summary: "run the nightly sync once: upload, outcomes, template cache", Run: runSync})
}

// syncDataDir is the default station data folder: $DINHDANH_DATA, else
// /var/lib/dinhdanh (the systemd units' StateDirectory).
func syncDataDir() string {
	if d := os.Getenv("DINHDANH_DATA"); d != "" {
		return d
	}
	return "/var/lib/dinhdanh"
}

// syncFiles are the station files the sync commands share.
type syncFiles struct{ data, db, key, trust string }

func (f *syncFiles) flags(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", syncDataDir(), "station data `folder` ($DINHDANH_DATA)")
	fs.StringVar(&f.db, "db", "", "station database `file` (default DATA/station.db)")
	fs.StringVar(&f.key, "key", "", "station key `file` (default DATA/station.key)")
	fs.StringVar(&f.trust, "trust", "", "upstream trust bundle `file` written at enrolment (default DATA/upstream-trust.json)")
}

func (f *syncFiles) resolve() {
	if f.db == "" {
		f.db = filepath.Join(f.data, "station.db")
	}
	if f.key == "" {
		f.key = filepath.Join(f.data, "station.key")
	}
	if f.trust == "" {
		f.trust = filepath.Join(f.data, "upstream-trust.json")
	}
}

func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files syncFiles
	files.flags(fs)
	timeout := fs.Duration("timeout", 3*time.Hour, "give up the whole run after this long")
	batch := fs.Int("batch", 25, "applications per batch at the start (adapts to the link)")
	reqTimeout := fs.Duration("request-timeout", 2*time.Minute, "limit for one HTTP exchange")
	purge := fs.Duration("purge-evidence-after", 30*24*time.Hour, "delete the evidence (images, biometrics) of applications accepted upstream this long ago; 0 keeps it")
	noCache := fs.Bool("no-cache", false, "do not update the template cache")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: station sync [flags]\n\nOne nightly sync: queue approved applications, upload them, pull outcomes,\nupdate the template cache. Exit codes: 0 ok, 1 local failure, 2 usage,\n3 upstream unreachable (next run continues), 4 refused by upstream (needs a\nperson), 5 another sync is running, 6 configuration missing.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{Code: 2, Err: err}
	}
	files.resolve()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := job.Run(ctx, job.Options{
		DBPath: files.db, KeyPath: files.key, TrustPath: files.trust,
		Client:             client.Config{BatchSize: *batch, RequestTimeout: *reqTimeout},
		SkipCache:          *noCache,
		PurgeEvidenceAfter: *purge,
		// The station's audit log (privacy area) and the retention step
		// plug in here once they are merged: Audit, Steps.
		Out: stdout,
	})
	if err != nil {
		return &exitError{Code: res.Code, Err: err}
	}
	return nil
}
