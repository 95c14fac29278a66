package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

func init() {
	register(command{Name: "cache", Summary: "citizen template cache: status, demo fill, load benchmark", Run: runCache})
}

func runCache(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var n, fingerBytes *int
	var seed *uint64
	cfg, action, err := parseAction("cache", args, stderr, "  status  version and size of the cache\n  demo    replace the cache with -n synthetic citizens (demo mode, benchmarks)\n  load    time loading the whole cache as the matchers do at start-up\n",
		[]string{"status", "demo", "load"}, func(fs *flag.FlagSet) {
			n = fs.Int("n", 10000, "citizens for demo")
			seed = fs.Uint64("seed", 1, "seed of the synthetic citizens")
			fingerBytes = fs.Int("finger-bytes", 256, "bytes of each synthetic (random, unmatchable) finger template")
		})
	if err != nil {
		return err
	}
	if _, err := keys.LoadOrCreate(cfg.KeyFile); err != nil {
		return err
	}
	st, err := openStation(ctx, cfg, openOptions{NeedKeys: true, Stores: true})
	if err != nil {
		return err
	}
	defer st.Close()
	cc := st.Cache
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
		if err := st.Log.Record(ctx, audit.Entry{Actor: "cache demo", Role: string(access.Technician), Action: audit.CacheUpdated,
			Object: "template_cache", Detail: map[string]string{"source": "synthetic", "citizens": strconv.Itoa(got)}}); err != nil {
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
