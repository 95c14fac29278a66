package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/retention"
	"github.com/dinhdanh/dinhdanh/sync/client"
	"github.com/dinhdanh/dinhdanh/sync/job"
)

func init() {
	register(command{Name: "sync", Summary: "run the nightly sync once: upload, outcomes, template cache, retention", Run: runSync})
}

func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var trust *string
	var batch *int
	var reqTimeout, purge *time.Duration
	var noCache, noRetention *bool
	cfg, _, err := parseConfig("sync", args, stderr, func(fs *flag.FlagSet) {
		trust = fs.String("trust", "", "upstream trust bundle `file` written at enrolment (default DATA-DIR/upstream-trust.json)")
		batch = fs.Int("batch", 25, "applications per batch at the start (adapts to the link)")
		reqTimeout = fs.Duration("request-timeout", 2*time.Minute, "limit for one HTTP exchange")
		purge = fs.Duration("purge-evidence-after", 0, "also delete the evidence of applications accepted upstream this long ago, whatever the retention policy says; 0: the retention step alone decides")
		noCache = fs.Bool("no-cache", false, "do not update the template cache")
		noRetention = fs.Bool("no-retention", false, "do not run the retention job after the sync")
		fs.Usage = func() {
			fmt.Fprintln(stderr, "Usage: station sync [flags]\n\nOne nightly sync: queue approved applications, upload them, pull outcomes,\nupdate the template cache, run the retention job. Exit codes: 0 ok, 1 local\nfailure, 2 usage, 3 upstream unreachable (next run continues), 4 refused by\nupstream (needs a person), 5 another sync is running, 6 configuration missing.\n\nFlags:")
			fs.PrintDefaults()
		}
	})
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		var ee *exitError
		if errors.As(err, &ee) {
			return err
		}
		return &exitError{Code: 2, Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.SyncTimeout)
	defer cancel()
	if _, err := keys.Load(cfg.KeyFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return &exitError{Code: job.ExitConfig, Err: err}
	}
	// A missing key file is the job's to report (exit 6).
	st, err := openStation(ctx, cfg, openOptions{Stores: true})
	if err != nil {
		return &exitError{Code: job.ExitFailed, Err: err}
	}
	defer st.Close()
	opts := job.Options{
		DBPath: cfg.DBPath, KeyPath: cfg.KeyFile, TrustPath: trustFile(cfg, *trust),
		Client:             client.Config{BatchSize: *batch, RequestTimeout: *reqTimeout},
		SkipCache:          *noCache,
		PurgeEvidenceAfter: *purge,
		Audit:              st.Log,
		Out:                stdout,
	}
	if !*noRetention {
		opts.Steps = append(opts.Steps, retentionStep(st))
	}
	res, err := job.Run(ctx, opts)
	if err != nil {
		return &exitError{Code: res.Code, Err: err}
	}
	return nil
}

// retentionStep runs the retention job, as the system, after the sync.
func retentionStep(st *station) job.Step {
	return job.Step{Name: "retention", Run: func(ctx context.Context) (string, error) {
		p, err := retention.LoadPolicy(ctx, st.DB)
		if err != nil {
			return "", err
		}
		rep, err := retentionJob(st).Run(ctx, access.Actor{Name: "sync", Role: access.System}, p)
		return fmt.Sprintf("%d items deleted", rep.Deleted()), err
	}}
}
