package job

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/sync/cache"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
	"github.com/dinhdanh/dinhdanh/sync/synctest"
	"github.com/dinhdanh/dinhdanh/sync/upstream"
)

// TestKillMidSync runs "the nightly job" as a child process against the
// reference upstream on loopback and kills it with SIGKILL at random
// moments, cycle after cycle, while new applications are approved and
// upstream's citizen database changes. After every kill the template cache
// must be exactly upstream's state at the cache's version (old or new,
// never a mix); at the end upstream must hold every approved application
// exactly once and the station must have marked each uploaded exactly once.
//
// SYNC_KILL_CYCLES sets the number of cycles (default 20; the script
// scripts/sync-kill-test.sh runs 100).
func TestKillMidSync(t *testing.T) {
	if os.Getenv("SYNC_KILL_CHILD") != "" {
		killChild()
		return
	}
	cycles := 20
	if s := os.Getenv("SYNC_KILL_CYCLES"); s != "" {
		cycles, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	e := synctest.New(t)
	e.Upstream.SetFaults(upstream.Faults{Delay: 3 * time.Millisecond, DelayAfterCommit: 15 * time.Millisecond})
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))

	// history[v] is the record (nil: deleted) that got version v.
	history := map[int64]*protocol.Citizen{}
	put := func(recs []protocol.Citizen) {
		v, err := e.Upstream.PutCitizens(ctx, recs)
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			r := recs[i]
			history[v-int64(len(recs))+int64(i)+1] = &r
		}
	}
	var ids []string
	killed, finished, inUpload, inCache := 0, 0, 0, 0
	for cycle := 0; cycle < cycles; cycle++ {
		db, repo, cc := e.Station(t)
		checkCacheConsistent(t, ctx, cc, history)
		ids = append(ids, synctest.Approved(t, repo, 3, 20000, 4)...)
		db.Close()
		put(synctest.Citizens(uint64(cycle%3), rng.IntN(1000), 400))
		if cycle%7 == 6 {
			e.Upstream.Compact(ctx) // force the snapshot path now and then
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillMidSync$")
		cmd.Env = append(os.Environ(), "SYNC_KILL_CHILD=1", "SYNC_KILL_DB="+e.DBPath, "SYNC_KILL_KEY="+e.KeyPath, "SYNC_KILL_TRUST="+e.TrustPath)
		var out strings.Builder
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Every other cycle gives the child longer, so kills also land
		// in the cache update that follows the upload.
		window := 250
		if cycle%2 == 1 {
			window = 700
		}
		select {
		case <-time.After(time.Duration(rng.IntN(window)) * time.Millisecond):
			cmd.Process.Signal(syscall.SIGKILL)
			if err := <-done; err != nil {
				killed++
				switch o := out.String(); {
				case strings.Contains(o, "cache:"):
					inCache++
				case strings.Contains(o, "batch "):
					inUpload++
				}
			} else {
				finished++
			}
		case err := <-done:
			if err != nil {
				t.Fatalf("cycle %d: sync child failed: %v", cycle, err)
			}
			finished++
		}
	}
	// A last undisturbed run finishes the work.
	e.Upstream.SetFaults(upstream.Faults{})
	res, err := Run(ctx, Options{DBPath: e.DBPath, KeyPath: e.KeyPath, TrustPath: e.TrustPath, Client: fastClient()})
	if err != nil {
		t.Fatalf("final run: %v", err)
	}
	t.Logf("%d cycles: %d killed mid-run (%d after a batch went through, %d during the cache update), %d finished before the kill; final run uploaded %d",
		cycles, killed, inUpload, inCache, finished, res.Upload.Marked)
	checkExactlyOnce(t, e, ids)
	db, _, cc := e.Station(t)
	defer db.Close()
	checkCacheConsistent(t, ctx, cc, history)
	if v, _ := cc.Version(ctx); v != int64(len(history)) {
		t.Fatalf("cache at version %d after the final run, upstream at %d", v, len(history))
	}
}

// checkCacheConsistent asserts that the cache holds exactly upstream's
// citizens as of the cache's version.
func checkCacheConsistent(t *testing.T, ctx context.Context, cc *cache.Cache, history map[int64]*protocol.Citizen) {
	t.Helper()
	v, err := cc.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for ver := int64(1); ver <= v; ver++ {
		if r := history[ver]; r != nil {
			want[r.IDNumber] = r.Card.FullName + "/" + strconv.FormatInt(ver, 10)
		}
	}
	got := map[string]string{}
	if err := cc.Each(ctx, func(z cache.Citizen) error {
		got[z.IDNumber] = z.FullName + "/" + strconv.FormatInt(z.Version, 10)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("cache at version %d holds %d citizens, upstream had %d", v, len(got), len(want))
	}
	var bad []string
	for id, w := range want {
		if got[id] != w {
			bad = append(bad, fmt.Sprintf("%s…: %q want %q", id[:3], got[id], w))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Fatalf("cache at version %d is a mix: %d records differ, e.g. %v", v, len(bad), bad[0])
	}
}

func killChild() {
	cfg := fastClient()
	cfg.BatchSize, cfg.MaxBatchSize, cfg.PageSize = 2, 4, 40
	_, err := Run(context.Background(), Options{
		DBPath: os.Getenv("SYNC_KILL_DB"), KeyPath: os.Getenv("SYNC_KILL_KEY"), TrustPath: os.Getenv("SYNC_KILL_TRUST"),
		Client: cfg, Out: os.Stdout, LockPath: filepath.Join(filepath.Dir(os.Getenv("SYNC_KILL_DB")), "sync.lock"),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
