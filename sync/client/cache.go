package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dinhdanh/dinhdanh/sync/cache"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

// CacheStats says what a cache update did.
type CacheStats struct {
	From, To int64
	Snapshot bool
	Upserted int
	Deleted  int
	Pages    int
}

// maxHeldRecords bounds the delta records held in memory before they are
// applied as one step.
const maxHeldRecords = 100000

// UpdateCache brings the template cache to upstream's current version: by
// deltas when upstream still has them, by a full snapshot otherwise. Every
// page's signature is verified before anything is applied; a page that
// fails verification leaves the cache as it was.
func (c *Client) UpdateCache(ctx context.Context, cc *cache.Cache) (CacheStats, error) {
	v, err := cc.Version(ctx)
	if err != nil {
		return CacheStats{}, err
	}
	st := CacheStats{From: v, To: v}
	if sv, _, err := cc.SnapshotProgress(ctx); err == nil && sv != 0 {
		return c.snapshot(ctx, cc, st) // finish an interrupted snapshot
	}
	if v == 0 {
		return c.snapshot(ctx, cc, st)
	}
	var held []*protocol.CachePage
	nheld := 0
	apply := func() error {
		if len(held) == 0 {
			return nil
		}
		res, err := cc.ApplyDelta(ctx, held)
		if err != nil {
			return err
		}
		st.Upserted += res.Upserted
		st.Deleted += res.Delete
		st.To = res.To
		held, nheld = nil, 0
		return nil
	}
	from := v
	for {
		q := url.Values{"since": {strconv.FormatInt(from, 10)}, "limit": {strconv.Itoa(c.cfg.PageSize)}}
		p, err := c.page(ctx, "/v1/cache/delta?"+q.Encode(), protocol.KindDelta)
		var se *StatusError
		if errors.As(err, &se) && se.Status == http.StatusGone {
			if err := apply(); err != nil {
				return st, err
			}
			c.cfg.Progress("cache: upstream has no delta from version %d; fetching a full snapshot", from)
			return c.snapshot(ctx, cc, st)
		}
		if err != nil {
			return st, err
		}
		if p.From != from {
			return st, &PermanentError{fmt.Errorf("cache delta starts at %d, asked from %d", p.From, from)}
		}
		st.Pages++
		if p.To != p.From || len(p.Records) > 0 {
			held = append(held, p)
			nheld += len(p.Records)
		}
		from = p.To
		if nheld >= maxHeldRecords {
			if err := apply(); err != nil {
				return st, err
			}
		}
		if !p.More {
			break
		}
	}
	if err := apply(); err != nil {
		return st, err
	}
	c.cfg.Progress("cache: version %d → %d, %d changed, %d deleted", st.From, st.To, st.Upserted, st.Deleted)
	return st, nil
}

// page fetches and verifies one cache page.
func (c *Client) page(ctx context.Context, path, kind string) (*protocol.CachePage, error) {
	var p *protocol.CachePage
	err := c.retry(ctx, "cache page", func() error {
		data, err := c.do(ctx, "GET", path, nil, protocol.MaxEnvelopeBytes)
		if err != nil {
			return err
		}
		_, payload, err := protocol.Open(data, kind, c.cfg.UpstreamKey)
		if errors.Is(err, protocol.ErrBadSignature) {
			return &PermanentError{fmt.Errorf("cache page refused, cache kept: %w", err)}
		}
		if err != nil {
			return fmt.Errorf("cache page: %w", err)
		}
		pg, err := protocol.DecodeCachePage(payload)
		if err != nil {
			return fmt.Errorf("cache page: %w", err)
		}
		if pg.StationID != "" && pg.StationID != c.cfg.StationID {
			return &PermanentError{fmt.Errorf("cache page issued to station %q, not to us", pg.StationID)}
		}
		p = pg
		return nil
	})
	var se *StatusError
	if errors.As(err, &se) && se.Status == http.StatusGone {
		return nil, se
	}
	return p, err
}

func (c *Client) snapshot(ctx context.Context, cc *cache.Cache, st CacheStats) (CacheStats, error) {
	st.Snapshot = true
	sv, cursor, err := cc.SnapshotProgress(ctx)
	if err != nil {
		return st, err
	}
	// A snapshot whose last page was staged before an interruption only
	// needs its commit.
	done := sv != 0 && cursor == ""
	for restarts := 0; !done; {
		q := url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}}
		if sv != 0 {
			q.Set("version", strconv.FormatInt(sv, 10))
			if cursor != "" {
				q.Set("after", cursor)
			}
		}
		p, err := c.page(ctx, "/v1/cache/snapshot?"+q.Encode(), protocol.KindSnapshot)
		var se *StatusError
		if errors.As(err, &se) && se.Status == http.StatusGone && restarts < 3 {
			restarts++
			sv, cursor = 0, "" // upstream moved on: start again
			continue
		}
		if err != nil {
			return st, err
		}
		if sv != 0 && (p.To != sv || p.After != cursor) {
			return st, fmt.Errorf("snapshot page of version %d after %q, asked %d after %q", p.To, p.After, sv, cursor)
		}
		if err := cc.StageSnapshotPage(ctx, p); err != nil {
			return st, err
		}
		st.Pages++
		sv, cursor, done = p.To, p.Next, p.Next == ""
		c.cfg.Progress("cache: snapshot %d, page %d staged", sv, st.Pages)
	}
	n, err := cc.CommitSnapshot(ctx, sv)
	if err != nil {
		return st, err
	}
	st.To, st.Upserted = sv, n
	c.cfg.Progress("cache: snapshot version %d in place, %d citizens", sv, n)
	return st, nil
}
