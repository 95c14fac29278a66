package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

func init() {
	register(command{Name: "cache", Summary: "citizen template cache: status, demo fill, load benchmark", Run: runCache})
}

func runCache(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cache", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files syncFiles
	files.flags(fs)
	n := fs.Int("n", 10000, "citizens for demo")
	seed := fs.Uint64("seed", 1, "seed of the synthetic citizens")
	fingerBytes := fs.Int("finger-bytes", 256, "bytes of each synthetic (random, unmatchable) finger template")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: station cache [flags] status|demo|load\n\n  status  version and size of the cache\n  demo    replace the cache with -n synthetic citizens (demo mode, benchmarks)\n  load    time loading the whole cache as the matchers do at start-up\n\nFlags:")
		fs.PrintDefaults()
	}
	// The action may come before or after the flags.
	var action string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		action, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{Code: 2, Err: err}
	}
	if action == "" && fs.NArg() == 1 {
		action = fs.Arg(0)
	} else if action == "" || fs.NArg() != 0 {
		action = ""
	}
	if action == "" {
		fs.Usage()
		return &exitError{Code: 2, Err: errors.New("one of status, demo, load")}
	}
	files.resolve()
	kf, err := keys.LoadOrCreate(files.key)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, files.db, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	kr, err := keys.OpenKeyring(ctx, db, kf)
	if err != nil {
		return err
	}
	cc := cache.New(db, kr, kf.LookupKey())
	switch action {
	case "status":
		v, err := cc.Version(ctx)
		if err != nil {
			return err
		}
		c, err := cc.Count(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "cache version %d, %d citizens\n", v, c)
	case "demo":
		t0 := time.Now()
		got, err := cc.FillSynthetic(ctx, *n, *seed, cache.RandomFingers(*fingerBytes))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "cache filled with %d synthetic citizens in %s\n", got, time.Since(t0).Round(time.Millisecond))
	case "load":
		t0 := time.Now()
		faces := 0
		index := make([][128]float32, 0, 1024)
		err := cc.Each(ctx, func(z cache.Citizen) error {
			if z.HasFace {
				index = append(index, z.Face)
				faces++
			}
			return nil
		})
		if err != nil {
			return err
		}
		d := time.Since(t0)
		fmt.Fprintf(stdout, "loaded %d citizens in %s (%.0f/s)\n", faces, d.Round(time.Millisecond), float64(faces)/d.Seconds())
	default:
		return &exitError{Code: 2, Err: fmt.Errorf("unknown cache action %q", action)}
	}
	return nil
}
