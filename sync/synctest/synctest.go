// Package synctest sets up a station and a reference upstream on loopback
// for the sync packages' tests: key file, database, enrolment, trust bundle,
// and approved applications with evidence.
package synctest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/cache"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
	"github.com/dinhdanh/dinhdanh/sync/upstream"
)

// Env is a station folder and a running upstream.
type Env struct {
	Dir       string // station folder
	DBPath    string
	KeyPath   string
	TrustPath string
	Key       *keys.File
	Upstream  *upstream.Server
	Running   *upstream.Running
}

// New starts an upstream on 127.0.0.1 with its own database and enrols a
// fresh station whose files are in a temporary folder.
func New(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	e := &Env{Dir: dir, DBPath: filepath.Join(dir, "station.db"), KeyPath: filepath.Join(dir, "station.key"), TrustPath: filepath.Join(dir, "trust.json")}
	var err error
	if e.Key, err = keys.LoadOrCreate(e.KeyPath); err != nil {
		t.Fatal(err)
	}
	id, err := upstream.NewIdentity([]string{"127.0.0.1"}, time.Now().Add(-time.Hour), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if e.Upstream, err = upstream.Open(ctx, filepath.Join(dir, "upstream", "upstream.db"), id); err != nil {
		t.Fatal(err)
	}
	if err := e.Upstream.Enrol(ctx, e.Key.StationID, e.Key.Signing.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	e.Start(t)
	t.Cleanup(func() {
		if e.Running != nil {
			e.Running.Close()
		}
		e.Upstream.Close()
	})
	return e
}

// Start (re)starts the upstream listener and rewrites the trust bundle.
func (e *Env) Start(t testing.TB) {
	t.Helper()
	r, err := e.Upstream.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.Running = r
	b, _ := json.Marshal(e.Upstream.Identity().Trust(r.URL))
	if err := os.WriteFile(e.TrustPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Station opens the station database with its repository and cache.
func (e *Env) Station(t testing.TB) (*store.DB, *application.Repo, *cache.Cache) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, e.DBPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keys.OpenKeyring(ctx, db, e.Key)
	if err != nil {
		t.Fatal(err)
	}
	return db, application.NewRepo(db, kr, e.Key.LookupKey(), nil), cache.New(db, kr, e.Key.LookupKey())
}

// Approved makes n approved applications (evidence of evidenceBytes
// each) and returns their UUIDs. failEvery > 0 makes every failEvery-th one
// carry a failed check, which the reference upstream rejects.
func Approved(t testing.TB, repo *application.Repo, n, evidenceBytes, failEvery int) []string {
	t.Helper()
	ctx := context.Background()
	off := application.Actor{Name: "lan", Role: "officer"}
	sup := application.Actor{Name: "hung", Role: "supervisor"}
	var ids []string
	for i := 0; i < n; i++ {
		z := cache.SyntheticCitizen(99, i, nil)
		id, err := repo.Create(ctx, off, application.Card{IDNumber: z.IDNumber, FullName: z.FullName, DateOfBirth: z.DateOfBirth, Sex: z.Sex})
		if err != nil {
			t.Fatal(err)
		}
		img := make([]byte, evidenceBytes)
		for j := range img {
			img[j] = byte(i + j)
		}
		must(t, repo.AttachEvidence(ctx, off, id, "portrait", 0.9, img))
		must(t, repo.SetConsent(ctx, off, id, "consent-"+id))
		passed := failEvery <= 0 || i%failEvery != failEvery-1
		must(t, repo.RecordCheck(ctx, off, id, application.Check{Name: "chip_face", Score: 0.8, Threshold: 0.6, Passed: passed}))
		must(t, repo.MarkVerified(ctx, off, id))
		must(t, repo.Approve(ctx, sup, id, ""))
		ids = append(ids, id)
	}
	return ids
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Citizens returns n synthetic citizens in wire form, with fingers.
func Citizens(seed uint64, from, n int) []protocol.Citizen {
	var out []protocol.Citizen
	for i := from; i < from+n; i++ {
		z := cache.SyntheticCitizen(seed, i, cache.RandomFingers(48))
		w := upstream.WireCitizen(z)
		w.Source = "test"
		out = append(out, w)
	}
	return out
}

// Post sends body to path on the upstream with the station's certificate
// and returns the answer's status and body as text.
func Post(t testing.TB, e *Env, path string, body []byte) string {
	t.Helper()
	cert, err := e.Key.ClientCertificate(time.Now().Add(-time.Minute), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tr := e.Upstream.Identity().Trust(e.Running.URL)
	pool, _ := tr.CertPool()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}}}
	defer c.CloseIdleConnections()
	resp, err := c.Post(e.Running.URL+path, protocol.ContentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}
