package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/sync/cache"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
	"github.com/dinhdanh/dinhdanh/sync/upstream"
)

func init() {
	register(command{Name: "upstream", Summary: "run the reference upstream server (demos, tests)", Run: runUpstream})
}

func runUpstream(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("upstream", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "upstream-data", "server `folder`: database, identity")
	listen := fs.String("listen", "127.0.0.1:8443", "listen `address`")
	enrol := fs.String("enrol", "", "comma-separated station key `files` to enrol (same machine demos)")
	trustOut := fs.String("trust-out", "", "write the trust bundle for stations to this `file` (default DIR/trust.json)")
	citizens := fs.Int("citizens", 0, "seed this many synthetic citizens if the template database is empty")
	var f upstream.Faults
	fs.IntVar(&f.Status500, "fault-500", 0, "answer the next N requests with 500")
	fs.IntVar(&f.DropBeforeCommit, "fault-drop", 0, "hang up halfway through the next N batch uploads")
	fs.IntVar(&f.DropAfterCommit, "fault-drop-after-commit", 0, "store the next N batches, then hang up")
	fs.DurationVar(&f.Delay, "fault-delay", 0, "delay every answer")
	fs.BoolVar(&f.DuplicateResults, "fault-duplicates", false, "repeat results, statuses and delta records")
	fs.BoolVar(&f.BadDeltaSignature, "fault-bad-signature", false, "corrupt cache page signatures")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: station upstream serve [flags]\n\nRuns the reference upstream (sync/openapi.yaml) over HTTPS with mutual TLS.\n\nFlags:")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "serve" {
		fs.Usage()
		return &exitError{Code: 2, Err: errors.New(`the only action is "serve"`)}
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{Code: 2, Err: err}
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return &exitError{Code: 2, Err: err}
	}
	id, err := upstream.LoadOrCreateIdentity(*dir, []string{host, "localhost"})
	if err != nil {
		return err
	}
	srv, err := upstream.Open(ctx, filepath.Join(*dir, "upstream.db"), id)
	if err != nil {
		return err
	}
	defer srv.Close()
	if *enrol != "" {
		for _, p := range strings.Split(*enrol, ",") {
			kf, err := keys.Load(p)
			if err != nil {
				return err
			}
			if err := srv.Enrol(ctx, kf.StationID, kf.Signing.Public().(ed25519.PublicKey)); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "enrolled station %s\n", kf.StationID)
		}
	}
	if *citizens > 0 {
		if err := seedCitizens(ctx, srv, *citizens); err != nil {
			return err
		}
	}
	srv.ErrorLog = log.New(stderr, "upstream: ", log.LstdFlags)
	srv.SetFaults(f)
	run, err := srv.Start(*listen)
	if err != nil {
		return err
	}
	defer run.Close()
	if *trustOut == "" {
		*trustOut = filepath.Join(*dir, "trust.json")
	}
	b, _ := json.MarshalIndent(id.Trust(run.URL), "", "  ")
	if err := os.WriteFile(*trustOut, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "upstream listening on %s; trust bundle for stations: %s\n", run.URL, *trustOut)
	<-ctx.Done()
	return nil
}

func seedCitizens(ctx context.Context, srv *upstream.Server, n int) error {
	if c, _ := srv.CitizenCount(ctx); c > 0 {
		return nil
	}
	const chunk = 5000
	for i := 0; i < n; i += chunk {
		var recs []protocol.Citizen
		for j := i; j < min(i+chunk, n); j++ {
			recs = append(recs, upstream.WireCitizen(cache.SyntheticCitizen(7, j, cache.RandomFingers(64))))
		}
		if _, err := srv.PutCitizens(ctx, recs); err != nil {
			return err
		}
	}
	return nil
}
