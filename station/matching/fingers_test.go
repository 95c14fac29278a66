package matching

import (
	"context"
	"errors"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"image"
	"path/filepath"
	"testing"
	"time"

	devfinger "github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/station/workflow"
	"github.com/dinhdanh/dinhdanh/sync/cache"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

func newTestCache(t *testing.T) *cache.Cache {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	f, err := keys.LoadOrCreate(filepath.Join(dir, "station.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "station.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	kr, err := keys.OpenKeyring(ctx, db, f)
	if err != nil {
		t.Fatal(err)
	}
	return cache.New(db, kr, f.LookupKey())
}

func TestPositionCode(t *testing.T) {
	for p, want := range map[workflow.FingerPosition]string{workflow.RightThumb: "R1", workflow.RightIndex: "R2",
		workflow.RightLittle: "R5", workflow.LeftThumb: "L1", workflow.LeftIndex: "L2", workflow.LeftLittle: "L5", 0: "", 11: ""} {
		if got := PositionCode(p); got != want {
			t.Errorf("PositionCode(%d) = %q, want %q", p, got, want)
		}
	}
}

// TestFingers enrols finger 101 of FVC2002 DB1 (impressions 4 and 7, full
// image) among synthetic citizens with random templates, then matches the
// other impressions as the simulated scanner serves them (cropped to the
// U.are.U 4000's 384×290): 1:1 must match at the default threshold, 1:N
// must put the holder first, and an impostor finger must not match.
func TestFingers(t *testing.T) {
	dir := shared.Require(t, "data", "fingerprints", "FVC2002_DB1_B")
	imgs, err := devfinger.LoadTIFFDir(dir, 16) // 101_1..8, 102_1..8
	if err != nil || len(imgs) < 16 {
		t.Fatalf("FVC images: %d, %v", len(imgs), err)
	}
	ctx := context.Background()
	c := newTestCache(t)
	if _, err := c.FillSynthetic(ctx, 500, 7, RandomTemplates()); err != nil {
		t.Fatal(err)
	}
	fm := NewFingers(c)
	r2, err := fm.Template(imgs[3])
	if err != nil {
		t.Fatal(err)
	}
	l2, err := fm.Template(imgs[6])
	if err != nil {
		t.Fatal(err)
	}
	const holder = "001095012345"
	ver, _ := c.Version(ctx)
	rec := protocol.Citizen{IDNumber: holder, Version: ver + 1, Source: "test", Card: protocol.Card{IDNumber: holder, FullName: "Test"},
		Fingers: map[string][]byte{"R2": r2, "L2": l2, "R3": []byte("not a DDFT template")}}
	if _, err := c.ApplyDelta(ctx, []*protocol.CachePage{{From: ver, To: ver + 1, IssuedAt: time.Now(), Records: []protocol.Citizen{rec}}}); err != nil {
		t.Fatal(err)
	}
	n, skipped, err := fm.BuildIndex(ctx)
	if err != nil || skipped != 1 || n < 900 {
		t.Fatalf("index: %d indexed, %d skipped, %v", n, skipped, err)
	}
	scan := func(i int) *image.Gray { return devfinger.FitTo(imgs[i], 384, 290) }
	for _, tc := range []struct {
		name   string
		r2, l2 int
		match  bool
	}{
		{"first two impressions", 0, 1, true},
		{"impressions 3 and 6", 2, 5, true},
		{"another finger (102)", 8, 9, false},
	} {
		live := []workflow.FingerCapture{{Position: workflow.RightIndex, Image: scan(tc.r2)}, {Position: workflow.LeftIndex, Image: scan(tc.l2)}}
		sc, err := fm.FingerCache(ctx, holder, live)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Logf("%s: 1:1 score %.3f threshold %.3f FMR %g match %v", tc.name, sc.Value, sc.Threshold, sc.FMR, sc.Match)
		if sc.Match != tc.match || sc.FMR != FingerFMR {
			t.Errorf("%s: 1:1 %+v, want match %v", tc.name, sc, tc.match)
		}
		cands, err := Matcher{Fingers: fm}.Search(ctx, nil, live, 5)
		if err != nil {
			t.Fatalf("%s: search: %v", tc.name, err)
		}
		for _, cd := range cands {
			t.Logf("  1:N %s %s %.3f %v (threshold %.4f, FMR %g)", idnum.Mask(cd.IDNumber), cd.Modality, cd.Score.Value, cd.Score.Match, cd.Score.Threshold, cd.Score.FMR)
			if cd.Score.Threshold < sc.Threshold || cd.Score.FMR > FingerFMR {
				t.Errorf("%s: 1:N threshold %g (FMR %g) below the 1:1 one", tc.name, cd.Score.Threshold, cd.Score.FMR)
			}
			if cd.IDNumber != holder && cd.Score.Match {
				t.Errorf("%s: false 1:N match %s %.3f", tc.name, idnum.Mask(cd.IDNumber), cd.Score.Value)
			}
		}
		if tc.match && (len(cands) == 0 || cands[0].IDNumber != holder || !cands[0].Score.Match) {
			t.Errorf("%s: holder not the first 1:N match: %+v", tc.name, cands)
		}
	}
	// The holder's only live finger has no cached template at its position.
	_, err = fm.FingerCache(ctx, holder, []workflow.FingerCapture{{Position: workflow.RightThumb, Image: scan(0)}})
	if !errors.Is(err, workflow.ErrUnavailable) {
		t.Errorf("no template in common: %v", err)
	}
	if _, err := fm.FingerCache(ctx, "079190000456", nil); !errors.Is(err, workflow.ErrNotInCache) {
		t.Errorf("not cached: %v", err)
	}
}

// TestSearchThreshold: the 1:N threshold rises with the index, from the
// 1:1 one, and says which FMR it stands for.
func TestSearchThreshold(t *testing.T) {
	f := NewFingers(nil)
	prev := 0.0
	for _, n := range []int{0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000} {
		thr, fmr := f.searchThreshold(n)
		t.Logf("%d fingers: threshold %.4f, FMR %g", n, thr, fmr)
		if thr < f.threshold() || thr < prev || fmr > FingerFMR {
			t.Errorf("%d fingers: threshold %g, FMR %g", n, thr, fmr)
		}
		prev = thr
	}
	if thr, fmr := f.searchThreshold(1_000_000); fmr != 1e-5 || thr <= f.threshold() {
		t.Errorf("a million fingers: threshold %g, FMR %g", thr, fmr)
	}
	f.Threshold = 0.5 // an office's own, stricter than any calibrated one
	if thr, fmr := f.searchThreshold(1000); thr != 0.5 || fmr != FingerFMR {
		t.Errorf("own threshold: %g, FMR %g", thr, fmr)
	}
}
