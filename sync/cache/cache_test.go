package cache

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

func newCache(t testing.TB, dir string) (*Cache, *store.DB, *keys.Keyring) {
	t.Helper()
	ctx := context.Background()
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
	return New(db, kr, f.LookupKey()), db, kr
}

func TestRecordRoundTrip(t *testing.T) {
	z := SyntheticCitizen(1, 7, RandomFingers(300))
	var got Citizen
	if err := got.decode(z.encode()); err != nil {
		t.Fatal(err)
	}
	got.Version, got.Source = z.Version, z.Source
	if got.IDNumber != z.IDNumber || got.FullName != z.FullName || got.Face != z.Face || !bytes.Equal(got.Fingers["R2"], z.Fingers["R2"]) {
		t.Fatalf("round trip: %+v != %+v", got, z)
	}
	if len(z.IDNumber) != 12 || z.IDNumber[0:3] < "001" || z.IDNumber[0:3] > "096" {
		t.Fatalf("bad synthetic ID %s", z.IDNumber)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	for i, g := range []FingerGen{RandomFingers(20), nil} {
		z := SyntheticCitizen(1, i, g)
		f.Add(z.encode())
	}
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var z Citizen
		if z.decode(b) == nil {
			var z2 Citizen
			if err := z2.decode(z.encode()); err != nil {
				t.Fatalf("re-encoded record does not decode: %v", err)
			}
		}
	})
}

func wireRecord(z Citizen) protocol.Citizen {
	face := make([]byte, 0, 512)
	for _, v := range z.Face {
		u := mathBits(v)
		face = append(face, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	return protocol.Citizen{IDNumber: z.IDNumber, Version: z.Version, Source: "test",
		Card: protocol.Card{IDNumber: z.IDNumber, FullName: z.FullName, DateOfBirth: z.DateOfBirth, Sex: z.Sex},
		Face: face, Fingers: z.Fingers}
}

func TestDeltaAndSnapshot(t *testing.T) {
	ctx := context.Background()
	c, _, kr := newCache(t, t.TempDir())
	var recs []protocol.Citizen
	for i := 0; i < 50; i++ {
		z := SyntheticCitizen(3, i, RandomFingers(64))
		z.Version = int64(1 + i/25)
		recs = append(recs, wireRecord(z))
	}
	p1 := &protocol.CachePage{From: 0, To: 1, Records: recs[:25], More: true}
	p2 := &protocol.CachePage{From: 1, To: 2, Records: recs[25:]}
	if _, err := c.ApplyDelta(ctx, []*protocol.CachePage{p2}); !errors.Is(err, ErrVersion) {
		t.Fatalf("delta from the wrong version applied: %v", err)
	}
	res, err := c.ApplyDelta(ctx, []*protocol.CachePage{p1, p2})
	if err != nil || res.Upserted != 50 || res.To != 2 {
		t.Fatalf("ApplyDelta = %+v, %v", res, err)
	}
	got, err := c.Lookup(ctx, recs[30].IDNumber)
	if err != nil || got.FullName != recs[30].Card.FullName || !got.HasFace || !bytes.Equal(got.Fingers["R2"], recs[30].Fingers["R2"]) {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	del := &protocol.CachePage{From: 2, To: 3, Records: []protocol.Citizen{{IDNumber: recs[30].IDNumber, Version: 3, Deleted: true}}}
	if res, err := c.ApplyDelta(ctx, []*protocol.CachePage{del}); err != nil || res.Delete != 1 {
		t.Fatalf("delete delta = %+v, %v", res, err)
	}
	if _, err := c.Lookup(ctx, recs[30].IDNumber); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted citizen still cached: %v", err)
	}
	// Snapshot of version 10 with 2 pages replaces everything.
	s1 := &protocol.CachePage{To: 10, Records: recs[:5], Next: "a"}
	s2 := &protocol.CachePage{To: 10, After: "a", Records: recs[5:8]}
	if err := c.StageSnapshotPage(ctx, s1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CommitSnapshot(ctx, 10); err == nil {
		t.Fatal("committed a half-staged snapshot")
	}
	if n, _ := c.Count(ctx); n != 49 {
		t.Fatalf("staging changed the live cache: %d", n)
	}
	if err := c.StageSnapshotPage(ctx, s2); err != nil {
		t.Fatal(err)
	}
	if n, err := c.CommitSnapshot(ctx, 10); err != nil || n != 8 {
		t.Fatalf("CommitSnapshot = %d, %v", n, err)
	}
	if v, _ := c.Version(ctx); v != 10 {
		t.Fatalf("version %d after snapshot", v)
	}
	// Rotation keeps records readable.
	if _, err := kr.Rotate(ctx, nil, "t", c); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := c.Each(ctx, func(z Citizen) error { n++; return nil }); err != nil || n != 8 {
		t.Fatalf("Each = %d, %v", n, err)
	}
}

func TestEach(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newCache(t, t.TempDir())
	n, err := c.FillSynthetic(ctx, 3000, 42, RandomFingers(32))
	if err != nil || n < 2990 {
		t.Fatalf("FillSynthetic = %d, %v", n, err)
	}
	seen := map[string]bool{}
	if err := c.Each(ctx, func(z Citizen) error {
		if !z.HasFace || len(z.IDNumber) != 12 || seen[z.IDNumber] {
			t.Fatalf("bad record %s", z.IDNumber)
		}
		seen[z.IDNumber] = true
		return nil
	}); err != nil || len(seen) != n {
		t.Fatalf("Each saw %d of %d: %v", len(seen), n, err)
	}
	stop := errors.New("stop")
	k := 0
	if err := c.Each(ctx, func(Citizen) error {
		k++
		if k == 700 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) || k != 700 {
		t.Fatalf("Each did not stop: %d %v", k, err)
	}
	_ = rand.New
	_ = time.Now
}
