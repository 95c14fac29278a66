package job

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/synctest"
)

// TestRunAudited checks a run given the station's audit log records the
// run, the cache update, the applications' transitions and the evidence
// purge, in a chain that verifies against the station key.
func TestRunAudited(t *testing.T) {
	ctx := context.Background()
	e := synctest.New(t)
	db, repo, _ := e.Station(t)
	synctest.Approved(t, repo, 3, 100, 0)
	db.Close()
	if _, err := e.Upstream.PutCitizens(ctx, synctest.Citizens(1, 0, 5)); err != nil {
		t.Fatal(err)
	}
	adb, err := store.Open(ctx, e.DBPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	log, err := audit.New(adb, audit.Options{Signer: e.Key.Signing, CheckpointEvery: 4})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o := opts(e, &out)
	o.Audit = log
	if res, err := Run(ctx, o); err != nil {
		t.Fatalf("Run: code %d, %v\n%s", res.Code, err, out.String())
	}
	o.PurgeEvidenceAfter = time.Nanosecond
	if res, err := Run(ctx, o); err != nil {
		t.Fatalf("Run: code %d, %v\n%s", res.Code, err, out.String())
	}
	count := map[string]int{}
	rows, err := adb.QueryContext(ctx, `SELECT action FROM audit_log`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		rows.Scan(&a)
		count[a]++
	}
	rows.Close()
	for _, a := range []string{audit.SyncRun, audit.CacheUpdated, audit.ApplicationQueued, audit.EvidencePurged} {
		if count[a] == 0 {
			t.Errorf("no %s entry; entries: %v", a, count)
		}
	}
	if count[audit.SyncRun] != 2 || count[audit.EvidencePurged] != 3 {
		t.Errorf("entries: %v", count)
	}
	rep, err := log.Verify(ctx, audit.VerifyOptions{TrustedKeys: []ed25519.PublicKey{e.Key.Signing.Public().(ed25519.PublicKey)}})
	if err != nil || !rep.OK() || rep.Checkpoints == 0 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
