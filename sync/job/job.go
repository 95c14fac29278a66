// Package job is the nightly sync as one run: take the lock, queue the
// day's approved applications, upload the outbox, pull outcomes, update the
// template cache, run extra steps (retention), print a summary line and
// return an exit code that says what went wrong, if anything.
package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/cache"
	"github.com/dinhdanh/dinhdanh/sync/client"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

// Exit codes of a run ("station sync").
const (
	ExitOK = 0
	// ExitFailed: a local failure (database, keys). Investigate.
	ExitFailed = 1
	// ExitUnreachable: upstream could not be reached or kept failing;
	// nothing is lost, the next run continues.
	ExitUnreachable = 3
	// ExitRefused: upstream refused something retrying cannot fix
	// (certificate, signature, clock skew, a conflicting UUID, a forged
	// cache page). Needs a person.
	ExitRefused = 4
	// ExitLocked: another sync is running.
	ExitLocked = 5
	// ExitConfig: configuration missing or wrong (no trust file...).
	ExitConfig = 6
)

// Step is an extra step run after the sync proper, e.g. the retention job.
// It returns a short summary for the summary line.
type Step struct {
	Name string
	Run  func(ctx context.Context) (summary string, err error)
}

// Options configures a run.
type Options struct {
	DBPath    string // station database
	KeyPath   string // station key file
	TrustPath string // upstream trust bundle (protocol.Trust as JSON)
	LockPath  string // default: DBPath + ".sync.lock"
	// Client tunes the protocol client; connection fields are filled in
	// from the key file and trust bundle.
	Client client.Config
	// CertValidity is the lifetime of the station's client certificate,
	// made fresh for each run (default 24 h).
	CertValidity time.Duration
	// SkipCache leaves the template cache alone.
	SkipCache bool
	// PurgeEvidenceAfter, when positive, deletes the captured evidence of
	// applications accepted upstream longer ago than this (retention),
	// one audit entry per application.
	PurgeEvidenceAfter time.Duration
	// Steps run after the sync proper.
	Steps []Step
	// Audit records the run; nil records nothing.
	Audit audit.Recorder
	// Out receives progress lines and the summary line.
	Out io.Writer
}

// Result is what a run did.
type Result struct {
	Queued   int
	Upload   client.UploadStats
	Outcomes client.OutcomeStats
	Cache    client.CacheStats
	Extra    []string
	Errors   []error
	Took     time.Duration
	Code     int
}

// ErrLocked is returned when another run holds the lock.
var ErrLocked = errors.New("another sync is running")

// Lock takes an exclusive, non-blocking flock on path. The kernel drops it
// when the process dies, so a killed run never leaves a stale lock.
func Lock(path string) (release func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sync lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("sync lock: %w", err)
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

func codeOf(err error) int {
	var pe *client.PermanentError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &pe), errors.Is(err, protocol.ErrBadSignature):
		return ExitRefused
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ExitUnreachable
	case strings.Contains(err.Error(), "upstream"), strings.Contains(err.Error(), "giving up"):
		return ExitUnreachable
	}
	return ExitFailed
}

// worse orders exit codes by urgency.
func worse(a, b int) int {
	rank := map[int]int{ExitOK: 0, ExitUnreachable: 1, ExitRefused: 2, ExitFailed: 3, ExitConfig: 4, ExitLocked: 5}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Run performs one sync. The returned Result's Code is the process exit
// code; the error joins every step's failure.
func Run(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	res := &Result{}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	say := func(format string, args ...any) {
		fmt.Fprintf(out, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	fail := func(code int, err error) (*Result, error) {
		res.Code = code
		res.Took = time.Since(start)
		fmt.Fprintf(out, "sync: FAILED code=%d: %v\n", code, err)
		return res, err
	}
	lockPath := o.LockPath
	if lockPath == "" {
		lockPath = o.DBPath + ".sync.lock"
	}
	release, err := Lock(lockPath)
	if errors.Is(err, ErrLocked) {
		return fail(ExitLocked, err)
	}
	if err != nil {
		return fail(ExitFailed, err)
	}
	defer release()

	trust, err := protocol.LoadTrust(o.TrustPath)
	if err != nil {
		return fail(ExitConfig, fmt.Errorf("%w (enrol the station with upstream first; see scripts/systemd/README.md)", err))
	}
	kf, err := keys.Load(o.KeyPath)
	if err != nil {
		return fail(ExitConfig, err)
	}
	db, err := store.Open(ctx, o.DBPath, store.Options{})
	if err != nil {
		return fail(ExitFailed, err)
	}
	defer db.Close()
	kr, err := keys.OpenKeyring(ctx, db, kf)
	if err != nil {
		return fail(ExitConfig, err)
	}
	repo := application.NewRepo(db, kr, kf.LookupKey(), o.Audit)
	cc := cache.New(db, kr, kf.LookupKey())

	validity := o.CertValidity
	if validity <= 0 {
		validity = 24 * time.Hour
	}
	cert, err := kf.ClientCertificate(time.Now().Add(-5*time.Minute), validity)
	if err != nil {
		return fail(ExitFailed, err)
	}
	pool, _ := trust.CertPool()
	cfg := o.Client
	cfg.URL, cfg.RootCAs, cfg.UpstreamKey = trust.URL, pool, trust.SigningKey
	cfg.StationID, cfg.Signing, cfg.Certificate = kf.StationID, kf.Signing, cert
	cfg.Progress = say
	cl, err := client.New(cfg)
	if err != nil {
		return fail(ExitConfig, err)
	}
	defer cl.Close()
	say("sync: station %s → %s", kf.StationID, trust.URL)

	record := func(err error) {
		if err != nil {
			res.Errors = append(res.Errors, err)
			res.Code = worse(res.Code, codeOf(err))
			say("error: %v", err)
		}
	}
	n, err := repo.QueueApproved(ctx, application.System)
	res.Queued = n
	record(err)
	if n > 0 {
		say("queued %d approved applications", n)
	}
	res.Upload, err = cl.Upload(ctx, repo)
	record(err)
	if res.Upload.Conflicts > 0 {
		record(&client.PermanentError{Err: fmt.Errorf("%d applications conflict with different content upstream under the same UUID", res.Upload.Conflicts)})
	}
	if ctx.Err() == nil {
		res.Outcomes, err = cl.PullOutcomes(ctx, repo)
		record(err)
	}
	if !o.SkipCache && ctx.Err() == nil {
		res.Cache, err = cl.UpdateCache(ctx, cc)
		record(err)
		if o.Audit != nil && res.Cache.To != res.Cache.From {
			record(o.Audit.Record(ctx, audit.Entry{Actor: "sync", Role: "system", Action: audit.CacheUpdated, Object: "template_cache",
				Detail: map[string]string{"from": fmt.Sprint(res.Cache.From), "to": fmt.Sprint(res.Cache.To),
					"upserted": fmt.Sprint(res.Cache.Upserted), "deleted": fmt.Sprint(res.Cache.Deleted), "snapshot": fmt.Sprint(res.Cache.Snapshot)}}))
		}
	}
	steps := o.Steps
	if o.PurgeEvidenceAfter > 0 {
		steps = append([]Step{{Name: "evidence retention", Run: func(ctx context.Context) (string, error) {
			n, err := repo.PurgeEvidence(ctx, time.Now().Add(-o.PurgeEvidenceAfter))
			return fmt.Sprintf("evidence of %d accepted applications deleted", n), err
		}}}, steps...)
	}
	for _, s := range steps {
		if ctx.Err() != nil {
			break
		}
		sum, err := s.Run(ctx)
		if err != nil {
			record(fmt.Errorf("%s: %w", s.Name, err))
			continue
		}
		res.Extra = append(res.Extra, s.Name+": "+sum)
		say("%s: %s", s.Name, sum)
	}
	res.Took = time.Since(start)
	status := "ok"
	if res.Code != ExitOK {
		status = "FAILED"
	}
	line := fmt.Sprintf("sync: %s code=%d queued=%d uploaded=%d (stored=%d duplicate=%d conflict=%d) batches=%d outcomes: accepted=%d rejected=%d pending=%d cache=%d→%d (+%d -%d%s) took=%s",
		status, res.Code, res.Queued, res.Upload.Marked, res.Upload.Stored, res.Upload.Duplicates, res.Upload.Conflicts, res.Upload.Batches,
		res.Outcomes.Accepted, res.Outcomes.Rejected, res.Outcomes.Pending,
		res.Cache.From, res.Cache.To, res.Cache.Upserted, res.Cache.Deleted, map[bool]string{true: " snapshot", false: ""}[res.Cache.Snapshot],
		res.Took.Round(time.Millisecond))
	if len(res.Extra) > 0 {
		line += " | " + strings.Join(res.Extra, " | ")
	}
	fmt.Fprintln(out, line)
	if o.Audit != nil {
		outcome := "ok"
		if res.Code != ExitOK {
			outcome = "failed"
		}
		o.Audit.Record(ctx, audit.Entry{Actor: "sync", Role: "system", Action: audit.SyncRun, Object: kf.StationID, Outcome: outcome,
			Detail: map[string]string{"uploaded": fmt.Sprint(res.Upload.Marked), "accepted": fmt.Sprint(res.Outcomes.Accepted),
				"cache_version": fmt.Sprint(res.Cache.To), "code": fmt.Sprint(res.Code)}})
	}
	return res, errors.Join(res.Errors...)
}
