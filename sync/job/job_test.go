package job

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/sync/client"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
	"github.com/dinhdanh/dinhdanh/sync/synctest"
	"github.com/dinhdanh/dinhdanh/sync/upstream"
)

func fastClient() client.Config {
	return client.Config{BatchSize: 4, MaxBatchSize: 16, PageSize: 7, Attempts: 4, BackoffBase: 5 * time.Millisecond,
		BackoffMax: 20 * time.Millisecond, RequestTimeout: 5 * time.Second}
}

func opts(e *synctest.Env, out *bytes.Buffer) Options {
	return Options{DBPath: e.DBPath, KeyPath: e.KeyPath, TrustPath: e.TrustPath, Client: fastClient(), Out: out}
}

// checkExactlyOnce asserts upstream holds each id once and the station
// marked each uploaded exactly once.
func checkExactlyOnce(t *testing.T, e *synctest.Env, ids []string) {
	t.Helper()
	ctx := context.Background()
	stored, err := e.Upstream.StoredApplications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, _, _ := e.Station(t)
	defer db.Close()
	for _, id := range ids {
		if stored[id] != 1 {
			t.Errorf("upstream holds %s %d times", id, stored[id])
		}
		var marks int
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM application_events WHERE uuid = ? AND to_state = 'uploaded'`, id).Scan(&marks)
		if marks != 1 {
			t.Errorf("station marked %s uploaded %d times", id, marks)
		}
	}
	if len(stored) != len(ids) {
		t.Errorf("upstream holds %d applications, station made %d", len(stored), len(ids))
	}
}

func TestRunEndToEnd(t *testing.T) {
	ctx := context.Background()
	e := synctest.New(t)
	db, repo, cc := e.Station(t)
	ids := synctest.Approved(t, repo, 23, 2000, 5)
	db.Close()
	if _, err := e.Upstream.PutCitizens(ctx, synctest.Citizens(1, 0, 30)); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	steps := []Step{{Name: "retention", Run: func(context.Context) (string, error) { return "0 purged", nil }}}
	o := opts(e, &out)
	o.Steps = steps
	o.PurgeEvidenceAfter = time.Hour
	res, err := Run(ctx, o)
	if err != nil || res.Code != ExitOK {
		t.Fatalf("Run: code %d, %v\n%s", res.Code, err, out.String())
	}
	if res.Upload.Marked != 23 || res.Outcomes.Accepted+res.Outcomes.Rejected != 23 || res.Outcomes.Rejected != 4 {
		t.Fatalf("result %+v\n%s", res, out.String())
	}
	if res.Cache.To != 30 || !res.Cache.Snapshot || res.Cache.Upserted != 30 {
		t.Fatalf("cache %+v", res.Cache)
	}
	if !strings.Contains(out.String(), "sync: ok code=0") || !strings.Contains(out.String(), "retention: 0 purged") {
		t.Fatalf("summary missing:\n%s", out.String())
	}
	checkExactlyOnce(t, e, ids)
	// Upstream content is what the station captured.
	db, repo, cc = e.Station(t)
	got, err := e.Upstream.Application(ctx, ids[0])
	if err != nil || len(got.Evidence) != 1 || len(got.Evidence[0].Data) != 2000 {
		t.Fatalf("upstream content: %+v %v", got, err)
	}
	app, _ := repo.Get(ctx, application.System, ids[4])
	if app.State != application.UpstreamRejected || app.UpstreamReason == "" {
		t.Fatalf("rejected app: %s %q", app.State, app.UpstreamReason)
	}
	db.Close()
	// Retention: evidence of accepted applications goes once they are old
	// enough, and only theirs.
	o.PurgeEvidenceAfter = time.Nanosecond
	if _, err := Run(ctx, o); err != nil {
		t.Fatal(err)
	}
	db, repo, _ = e.Station(t)
	if _, err := repo.Evidence(ctx, application.System, ids[0], "portrait"); !errors.Is(err, application.ErrNotFound) {
		t.Fatalf("accepted application kept its evidence: %v", err)
	}
	if _, err := repo.Evidence(ctx, application.System, ids[4], "portrait"); err != nil {
		t.Fatalf("rejected application lost its evidence: %v", err)
	}
	db.Close()

	// Deltas: changes and a deletion.
	recs := synctest.Citizens(1, 0, 3)
	recs[0].Card.FullName = "Trần Văn Đổi"
	e.Upstream.PutCitizens(ctx, append(recs, synctest.Citizens(1, 100, 10)...))
	e.Upstream.DeleteCitizens(ctx, []string{recs[1].IDNumber})
	out.Reset()
	res, err = Run(ctx, opts(e, &out))
	if err != nil || res.Cache.Snapshot || res.Cache.From != 30 || res.Cache.To != 44 || res.Cache.Deleted != 1 {
		t.Fatalf("delta run: %+v %v\n%s", res.Cache, err, out.String())
	}
	db, _, cc = e.Station(t)
	defer db.Close()
	if z, err := cc.Lookup(ctx, recs[0].IDNumber); err != nil || z.FullName != "Trần Văn Đổi" {
		t.Fatalf("changed citizen: %+v %v", z, err)
	}
	if n, _ := cc.Count(ctx); n != 39 {
		t.Fatalf("cache holds %d, want 39", n)
	}
	// Nothing logged holds a full ID number.
	if strings.Contains(out.String(), recs[0].IDNumber) {
		t.Fatal("progress output holds an ID number")
	}
}

func TestFaultsLoseNothing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		f    upstream.Faults
	}{
		{"500", upstream.Faults{Status500: 3}},
		{"drop before commit", upstream.Faults{DropBeforeCommit: 2}},
		{"drop after commit", upstream.Faults{DropAfterCommit: 2}},
		{"slow", upstream.Faults{Delay: 30 * time.Millisecond}},
		{"duplicates", upstream.Faults{DuplicateResults: true}},
		{"malformed", upstream.Faults{Malformed: 2}},
		{"wrong content type", upstream.Faults{WrongContentType: 2}},
		{"oversized", upstream.Faults{Oversized: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := synctest.New(t)
			db, repo, _ := e.Station(t)
			ids := synctest.Approved(t, repo, 9, 500, 0)
			db.Close()
			e.Upstream.PutCitizens(ctx, synctest.Citizens(2, 0, 12))
			e.Upstream.SetFaults(tc.f)
			var out bytes.Buffer
			res, err := Run(ctx, opts(e, &out))
			if err != nil {
				// Allowed to fail (attempts used up); the next run finishes.
				t.Logf("first run: code %d: %v", res.Code, err)
				if res.Code != ExitUnreachable {
					t.Fatalf("code %d for a transient fault\n%s", res.Code, out.String())
				}
				e.Upstream.SetFaults(upstream.Faults{})
				res, err = Run(ctx, opts(e, &out))
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			checkExactlyOnce(t, e, ids)
			db, _, cc := e.Station(t)
			defer db.Close()
			if n, _ := cc.Count(ctx); n != 12 {
				t.Fatalf("cache holds %d", n)
			}
		})
	}
}

func TestBadDeltaSignatureKeepsCache(t *testing.T) {
	ctx := context.Background()
	e := synctest.New(t)
	e.Upstream.PutCitizens(ctx, synctest.Citizens(3, 0, 10))
	var out bytes.Buffer
	if _, err := Run(ctx, opts(e, &out)); err != nil {
		t.Fatal(err)
	}
	e.Upstream.PutCitizens(ctx, synctest.Citizens(3, 10, 10))
	e.Upstream.SetFaults(upstream.Faults{BadDeltaSignature: true})
	res, err := Run(ctx, opts(e, &out))
	if !errors.Is(err, protocol.ErrBadSignature) || res.Code != ExitRefused {
		t.Fatalf("forged delta: code %d, %v", res.Code, err)
	}
	db, _, cc := e.Station(t)
	if v, _ := cc.Version(ctx); v != 10 {
		t.Fatalf("cache version %d after a forged delta, want 10", v)
	}
	if n, _ := cc.Count(ctx); n != 10 {
		t.Fatalf("cache holds %d after a forged delta", n)
	}
	db.Close()
	e.Upstream.SetFaults(upstream.Faults{})
	if res, err := Run(ctx, opts(e, &out)); err != nil || res.Cache.To != 20 {
		t.Fatalf("next run: %+v %v", res.Cache, err)
	}
}

func TestSnapshotFallback(t *testing.T) {
	ctx := context.Background()
	e := synctest.New(t)
	e.Upstream.PutCitizens(ctx, synctest.Citizens(4, 0, 10))
	var out bytes.Buffer
	Run(ctx, opts(e, &out))
	e.Upstream.PutCitizens(ctx, synctest.Citizens(4, 10, 20))
	e.Upstream.DeleteCitizens(ctx, []string{synctest.Citizens(4, 0, 1)[0].IDNumber})
	e.Upstream.Compact(ctx)
	res, err := Run(ctx, opts(e, &out))
	if err != nil || !res.Cache.Snapshot || res.Cache.Upserted != 29 {
		t.Fatalf("fallback: %+v %v\n%s", res.Cache, err, out.String())
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("clock skew", func(t *testing.T) {
		e := synctest.New(t)
		db, repo, _ := e.Station(t)
		ids := synctest.Approved(t, repo, 3, 10, 0)
		db.Close()
		e.Upstream.SetFaults(upstream.Faults{ClockSkew: 2 * time.Hour})
		var out bytes.Buffer
		res, err := Run(ctx, opts(e, &out))
		if err == nil || res.Code != ExitRefused || !strings.Contains(err.Error(), "clock skew") {
			t.Fatalf("code %d, %v", res.Code, err)
		}
		e.Upstream.SetFaults(upstream.Faults{})
		if _, err := Run(ctx, opts(e, &out)); err != nil {
			t.Fatal(err)
		}
		checkExactlyOnce(t, e, ids)
	})
	t.Run("expired station certificate", func(t *testing.T) {
		e := synctest.New(t)
		var out bytes.Buffer
		o := opts(e, &out)
		o.CertValidity = time.Second // made 5 minutes in the past: expired
		res, err := Run(ctx, o)
		if err == nil || res.Code != ExitRefused {
			t.Fatalf("code %d, %v", res.Code, err)
		}
		t.Log(err)
	})
	t.Run("expired server certificate", func(t *testing.T) {
		e := synctest.New(t)
		e.Running.Close()
		e.Upstream.Identity().IssueServerCert([]string{"127.0.0.1"}, time.Now().Add(-48*time.Hour), time.Hour)
		e.Start(t)
		var out bytes.Buffer
		res, err := Run(ctx, opts(e, &out))
		if err == nil || res.Code != ExitRefused || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("code %d, %v", res.Code, err)
		}
	})
	t.Run("station not enrolled", func(t *testing.T) {
		e := synctest.New(t)
		_, other, _ := ed25519.GenerateKey(nil)
		e.Upstream.Enrol(ctx, e.Key.StationID, other.Public().(ed25519.PublicKey)) // re-enrolled with another key
		var out bytes.Buffer
		res, err := Run(ctx, opts(e, &out))
		if err == nil || res.Code != ExitRefused || !strings.Contains(err.Error(), "station certificate") {
			t.Fatalf("code %d, %v", res.Code, err)
		}
	})
	t.Run("missing trust", func(t *testing.T) {
		e := synctest.New(t)
		var out bytes.Buffer
		o := opts(e, &out)
		o.TrustPath = e.Dir + "/nope.json"
		if res, _ := Run(ctx, o); res.Code != ExitConfig {
			t.Fatalf("code %d", res.Code)
		}
	})
	t.Run("lock", func(t *testing.T) {
		e := synctest.New(t)
		release, err := Lock(e.DBPath + ".sync.lock")
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		var out bytes.Buffer
		if res, _ := Run(ctx, opts(e, &out)); res.Code != ExitLocked {
			t.Fatalf("code %d while locked", res.Code)
		}
	})
}

// TestReplayedBatchAltered sends a captured batch again with one
// application's content changed: re-signed by an attacker without the
// station key it fails the signature; re-signed by the station (a bug) it
// is a replayed batch ID; under a new batch ID the changed UUID conflicts.
func TestReplayedBatchAltered(t *testing.T) {
	ctx := context.Background()
	e := synctest.New(t)
	db, repo, _ := e.Station(t)
	ids := synctest.Approved(t, repo, 2, 10, 0)
	db.Close()
	var out bytes.Buffer
	if _, err := Run(ctx, opts(e, &out)); err != nil {
		t.Fatal(err)
	}
	app, _ := e.Upstream.Application(ctx, ids[0])
	app.Card.FullName = "Kẻ Giả Mạo"
	post := func(signer ed25519.PrivateKey, batchID string) string {
		b := protocol.Batch{StationID: e.Key.StationID, BatchID: batchID, CreatedAt: time.Now().UTC(), Applications: []protocol.Application{*app}}
		body, _ := protocol.Sign(protocol.KindBatch, e.Key.StationID, signer, &b)
		return synctest.Post(t, e, "/v1/batches", body)
	}
	_, attacker, _ := ed25519.GenerateKey(nil)
	if got := post(attacker, application.NewUUID()); !strings.Contains(got, "bad_signature") {
		t.Fatalf("forged batch: %s", got)
	}
	bid := application.NewUUID()
	app2 := *app
	app2.Card.FullName = "Nguyễn Văn A"
	b := protocol.Batch{StationID: e.Key.StationID, BatchID: bid, CreatedAt: time.Now().UTC(), Applications: []protocol.Application{app2}}
	body, _ := protocol.Sign(protocol.KindBatch, e.Key.StationID, e.Key.Signing, &b)
	synctest.Post(t, e, "/v1/batches", body)
	if got := post(e.Key.Signing, bid); !strings.Contains(got, "replayed_batch") {
		t.Fatalf("replayed batch ID with other content: %s", got)
	}
	if got := post(e.Key.Signing, application.NewUUID()); !strings.Contains(got, `"conflict"`) {
		t.Fatalf("altered application: %s", got)
	}
	stored, _ := e.Upstream.Application(ctx, ids[0])
	if stored.Card.FullName == "Kẻ Giả Mạo" || stored.Card.FullName == "Nguyễn Văn A" {
		t.Fatal("upstream content changed by a replay")
	}
}

// TestSlowLinkShrinksBatches: on a link where a batch of 16 cannot get
// through within the request timeout, batches are re-formed smaller until
// they do, and everything is uploaded once.
func TestSlowLinkShrinksBatches(t *testing.T) {
	ctx := context.Background()
	e := synctest.New(t)
	db, repo, _ := e.Station(t)
	ids := synctest.Approved(t, repo, 20, 100, 0)
	db.Close()
	e.Upstream.SetFaults(upstream.Faults{SlowPerApplication: 60 * time.Millisecond})
	var out bytes.Buffer
	o := opts(e, &out)
	o.Client.BatchSize, o.Client.MaxBatchSize, o.Client.RequestTimeout, o.Client.Attempts = 16, 16, 400*time.Millisecond, 6
	o.SkipCache = true
	res, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "retry") || res.Upload.Batches < 4 {
		t.Fatalf("no adaptation seen: %d batches\n%s", res.Upload.Batches, out.String())
	}
	checkExactlyOnce(t, e, ids)
}

// TestDamagedApplicationDoesNotBlockOthers: one application whose sealed
// card data was altered on disk is left queued and reported; the others go.
func TestDamagedApplicationDoesNotBlockOthers(t *testing.T) {
	ctx := context.Background()
	e := synctest.New(t)
	db, repo, _ := e.Station(t)
	ids := synctest.Approved(t, repo, 5, 10, 0)
	repo.QueueApproved(ctx, application.System)
	if _, err := db.ExecContext(ctx, `UPDATE applications SET card_sealed = substr(card_sealed, 1, 40) || x'00' || substr(card_sealed, 42) WHERE uuid = ?`, ids[2]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out bytes.Buffer
	res, err := Run(ctx, opts(e, &out))
	if err == nil || res.Code != ExitFailed || res.Upload.Marked != 4 || res.Upload.Unreadable != 1 {
		t.Fatalf("code %d, %+v, %v", res.Code, res.Upload, err)
	}
	checkExactlyOnce(t, e, append(ids[:2:2], ids[3:]...))
}
