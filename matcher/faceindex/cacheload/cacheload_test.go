package cacheload

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

func TestLoadFindsCitizen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kf, err := keys.LoadOrCreate(filepath.Join(dir, "station.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "station.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kr, err := keys.OpenKeyring(ctx, db, kf)
	if err != nil {
		t.Fatal(err)
	}
	c := cache.New(db, kr, kf.LookupKey())
	const seed = 3
	n, err := c.FillSynthetic(ctx, 500, seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := faceindex.New(faceindex.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Load(ctx, Source{Cache: c}); err != nil {
		t.Fatal(err)
	}
	if ix.Len() != n {
		t.Fatalf("index holds %d descriptors, cache %d citizens", ix.Len(), n)
	}
	for _, i := range []int{0, 123, 499} {
		want := cache.SyntheticCitizen(seed, i, nil)
		res, err := ix.Search(faceindex.Descriptor(want.Face), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || IDNumber(res[0].ID) != want.IDNumber || res[0].Distance != 0 {
			t.Errorf("citizen %d: got %+v, want its own ID at distance 0", i, res)
		}
	}
}
