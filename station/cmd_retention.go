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

// retentionJob wires the purges of this build. The application store
// (evidence, images, applications) and the template cache register theirs
// when they land; "station retention run" lists classes nobody purges.
func retentionJob(l *audit.Log) *retention.Job {
	return retention.NewJob(l, consent.NewStore(l))
}

func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, `usage: station retention run    [--db PATH] [--as NAME --role system|supervisor]
       station retention policy [--db PATH] [--set CLASS=DAYS]... [--as NAME --role supervisor]`)
	}
	if len(args) == 0 || (args[0] != "run" && args[0] != "policy") {
		usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return &exitError{Code: 2, Err: errors.New("want run or policy")}
	}
	sub := args[0]
	fs := flag.NewFlagSet("retention "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", privacyDBPath(), "station database")
	var sets []string
	fs.Func("set", "policy: set a class's retention, e.g. biometric_evidence=30 (repeatable)", func(s string) error {
		sets = append(sets, s)
		return nil
	})
	defRole := access.System
	if sub == "policy" {
		defRole = access.Supervisor
	}
	actor := privacyActor(fs, defRole)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	a, err := actor()
	if err != nil {
		return err
	}
	db, l, err := privacyOpen(ctx, *dbPath, false)
	if err != nil {
		return err
	}
	defer db.Close()
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
	job := retentionJob(l)
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
