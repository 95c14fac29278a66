package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/consent"
	"github.com/dinhdanh/dinhdanh/station/retention"
)

func init() {
	register(command{Name: "retention", Summary: "show or set retention periods, and run the retention job now", Run: runRetention})
}

// retentionJob wires the purges of this build: consent and audit (the
// retention package's own) and the application store's evidence purge
// when the station's keys exist. "station retention run" lists the
// classes nobody purges.
func retentionJob(st *station) *retention.Job {
	job := retention.NewJob(st.Log, consent.NewStore(st.Log))
	if st.Apps != nil {
		job.Register(retention.BiometricEvidence, "application evidence", st.Apps.PurgeEvidence)
	}
	return job
}

func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, `usage: station retention run    --user NAME [--db PATH]
       station retention policy [--db PATH] [--set CLASS=DAYS... --user NAME]
(the nightly "station sync" runs the retention job itself, as the system, with no password)`)
	}
	if len(args) == 0 || (args[0] != "run" && args[0] != "policy") {
		usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return &exitError{Code: 2, Err: errors.New("want run or policy")}
	}
	sub := args[0]
	var sets []string
	var op *operator
	cfg, _, err := parseConfig("retention "+sub, args[1:], stderr, func(fs *flag.FlagSet) {
		fs.Func("set", "policy: set a class's retention, e.g. biometric_evidence=30 (repeatable)", func(s string) error {
			sets = append(sets, s)
			return nil
		})
		op = operatorFlag(fs)
	})
	if err != nil {
		return err
	}
	// Showing the policy needs no log-in; changing it or running the job
	// by hand does.
	needUser := sub == "run" || len(sets) > 0
	if needUser {
		if err := op.readPassword(nil, stderr); err != nil {
			return err
		}
	}
	st, err := openStation(ctx, cfg, openOptions{Stores: sub == "run"})
	if err != nil {
		return err
	}
	defer st.Close()
	var a access.Actor
	if needUser {
		if a, err = op.login(ctx, st, stderr); err != nil {
			return err
		}
	}
	db, l := st.DB, st.Log
	p, err := retention.LoadPolicy(ctx, db)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if sub == "policy" {
		if len(sets) == 0 {
			return enc.Encode(p)
		}
		if err := (access.Guard{Rec: l}).Allow(ctx, a, access.ChangeSettings, "retention"); err != nil {
			return &exitError{Code: 4, Err: err}
		}
		detail := map[string]string{}
		for _, s := range sets {
			k, v, ok := strings.Cut(s, "=")
			d, err := strconv.Atoi(v)
			if !ok || err != nil {
				return &exitError{Code: 2, Err: fmt.Errorf("--set %q: want CLASS=DAYS", s)}
			}
			p[retention.Class(k)] = d
			detail[k] = v
		}
		if err := retention.SavePolicy(ctx, db, p); err != nil {
			return &exitError{Code: 2, Err: err}
		}
		if err := l.Record(ctx, audit.Entry{Actor: a.Name, Role: string(a.Role), Action: audit.SettingsChanged,
			Object: "retention", Detail: detail}); err != nil {
			return err
		}
		return enc.Encode(p)
	}
	if st.Apps == nil {
		fmt.Fprintf(stderr, "note: no station key file (%s): applications and the template cache are not covered\n", cfg.KeyFile)
	}
	job := retentionJob(st)
	reg := job.Registered()
	rep, err := job.Run(ctx, a, p)
	if errors.Is(err, access.ErrDenied) {
		return &exitError{Code: 4, Err: err}
	}
	enc.Encode(rep)
	for _, c := range retention.Classes {
		if len(reg[c]) == 0 {
			fmt.Fprintf(stderr, "note: nothing in this build purges class %s yet\n", c)
		}
	}
	return err
}
