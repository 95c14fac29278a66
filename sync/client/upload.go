package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

// Outbox is the station's application store as the client needs it;
// *application.Repo is one.
type Outbox interface {
	Outbox(ctx context.Context, limit int) ([]string, error)
	Upload(ctx context.Context, uuid string) (*application.Upload, error)
	MarkUploaded(ctx context.Context, uuids []string) (int, error)
	AwaitingOutcome(ctx context.Context, limit int) ([]string, error)
	SetOutcome(ctx context.Context, uuid string, accepted bool, reason string) (bool, error)
}

// UploadStats counts what an upload run did.
type UploadStats struct {
	Batches    int
	Stored     int // newly stored upstream
	Duplicates int // upstream already had them (a retry after a lost answer)
	Conflicts  int // UUID reused with other content: left queued, needs a person
	Marked     int // newly marked uploaded on the station
	Unreadable int // could not be read (damaged blob): left queued
}

func toWire(u *application.Upload) protocol.Application {
	a := protocol.Application{UUID: u.UUID, CreatedAt: u.CreatedAt.UTC(), Officer: u.Officer, Supervisor: u.Supervisor,
		ApprovedAt: u.ApprovedAt.UTC(), ConsentID: u.ConsentID,
		Card: protocol.Card{IDNumber: u.Card.IDNumber, FullName: u.Card.FullName, DateOfBirth: u.Card.DateOfBirth, Sex: u.Card.Sex,
			PlaceOfOrigin: u.Card.PlaceOfOrigin, Residence: u.Card.Residence, DateOfExpiry: u.Card.DateOfExpiry,
			Phone: u.Card.Phone, Email: u.Card.Email, Documents: u.Card.Documents},
		Checks: []protocol.Check{}, Evidence: []protocol.Evidence{}}
	for _, c := range u.Checks {
		a.Checks = append(a.Checks, protocol.Check{Name: c.Name, Score: c.Score, Threshold: c.Threshold, Passed: c.Passed, Detail: c.Detail})
	}
	for _, e := range u.Evidence {
		a.Evidence = append(a.Evidence, protocol.Evidence{Kind: e.Kind, Quality: e.Quality, Data: e.Data})
	}
	return a
}

// Upload sends every queued application upstream and marks the acknowledged
// ones uploaded. It stops at the first step that fails for good; what was
// acknowledged before stays marked.
func (c *Client) Upload(ctx context.Context, ob Outbox) (UploadStats, error) {
	var st UploadStats
	size := c.cfg.BatchSize
	skip := map[string]bool{} // conflicts: not sent again in this run
	failures := 0
	var unreadable error
	for {
		ids, err := ob.Outbox(ctx, size+len(skip))
		if err != nil {
			return st, err
		}
		var apps []protocol.Application
		bytes := 0
		for _, id := range ids {
			if skip[id] || len(apps) == size {
				continue
			}
			u, err := ob.Upload(ctx, id)
			if err != nil {
				// One unreadable application must not hold up the others.
				skip[id] = true
				st.Unreadable++
				unreadable = errors.Join(unreadable, err)
				c.cfg.Progress("application %s cannot be read for upload: %v", id, err)
				continue
			}
			a := toWire(u)
			n := approxSize(&a)
			if len(apps) > 0 && bytes+n > c.cfg.MaxBatchBytes {
				break
			}
			apps = append(apps, a)
			bytes += n
		}
		if len(apps) == 0 {
			return st, unreadable
		}
		batch := protocol.Batch{StationID: c.cfg.StationID, BatchID: application.NewUUID(), CreatedAt: c.cfg.Now().UTC(), Applications: apps}
		body, err := protocol.Sign(protocol.KindBatch, c.cfg.StationID, c.cfg.Signing, &batch)
		if err != nil {
			return st, err
		}
		start := time.Now()
		res, err := c.sendBatch(ctx, &batch, body)
		if err != nil {
			if permanent(err) || ctx.Err() != nil {
				return st, err
			}
			// A failed or timed-out batch is re-formed smaller: on a slow
			// link a large batch may never get through in time, and the
			// UUIDs make re-forming safe.
			failures++
			if failures >= c.cfg.Attempts {
				return st, fmt.Errorf("upload: giving up after %d failed batches: %w", failures, err)
			}
			size = max(1, size/2)
			if err := c.backoff(ctx, failures-1, fmt.Sprintf("upload batch of %d", len(apps)), err); err != nil {
				return st, err
			}
			continue
		}
		failures = 0
		st.Batches++
		sent := map[string]bool{}
		for _, a := range apps {
			sent[a.UUID] = true
		}
		done := map[string]bool{}
		var ack []string
		for _, r := range res.Results {
			if !sent[r.UUID] || done[r.UUID] {
				continue // not ours, or listed twice
			}
			done[r.UUID] = true
			switch r.Status {
			case protocol.StatusStored:
				st.Stored++
				ack = append(ack, r.UUID)
			case protocol.StatusDuplicate:
				st.Duplicates++
				ack = append(ack, r.UUID)
			case protocol.StatusConflict:
				st.Conflicts++
				skip[r.UUID] = true
				c.cfg.Progress("application %s: upstream conflict: %s", r.UUID, r.Reason)
			}
		}
		for _, a := range apps {
			if !done[a.UUID] {
				// No answer for it: leave queued, send next run.
				skip[a.UUID] = true
			}
		}
		n, err := ob.MarkUploaded(ctx, ack)
		if err != nil {
			return st, err
		}
		st.Marked += n
		took := time.Since(start)
		c.cfg.Progress("batch %d: %d sent, %d stored, %d duplicate, %d conflict in %s (batch size %d)",
			st.Batches, len(apps), st.Stored, st.Duplicates, st.Conflicts, took.Round(time.Millisecond), size)
		if took < c.cfg.RequestTimeout/8 && size < c.cfg.MaxBatchSize {
			size = min(size*2, c.cfg.MaxBatchSize)
		}
	}
}

func approxSize(a *protocol.Application) int {
	n := 1024
	for _, e := range a.Evidence {
		n += len(e.Data)*4/3 + 64
	}
	return n
}

// sendBatch makes one attempt at uploading a signed batch.
func (c *Client) sendBatch(ctx context.Context, batch *protocol.Batch, body []byte) (*protocol.BatchResult, error) {
	data, err := c.do(ctx, "POST", "/v1/batches", body, protocol.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	r, err := protocol.DecodeBatchResult(data)
	if err != nil {
		return nil, fmt.Errorf("answer to batch: %w", err)
	}
	if r.BatchID != batch.BatchID {
		return nil, fmt.Errorf("answer names batch %s, sent %s", r.BatchID, batch.BatchID)
	}
	if err := protocol.CheckClock(r.ServerTime, c.cfg.Now(), c.cfg.MaxClockSkew); err != nil {
		return nil, &PermanentError{err}
	}
	return r, nil
}

// OutcomeStats counts what a status pull did.
type OutcomeStats struct {
	Asked, Accepted, Rejected, Pending, Unknown int
}

// PullOutcomes asks upstream about every uploaded application still
// awaiting its outcome and records the answers.
func (c *Client) PullOutcomes(ctx context.Context, ob Outbox) (OutcomeStats, error) {
	var st OutcomeStats
	ids, err := ob.AwaitingOutcome(ctx, -1)
	if err != nil {
		return st, err
	}
	const chunk = 1000
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		body, _ := json.Marshal(protocol.StatusRequest{UUIDs: part})
		var resp *protocol.StatusResponse
		err := c.retry(ctx, "status pull", func() error {
			data, err := c.do(ctx, "POST", "/v1/status", body, protocol.MaxResponseBytes)
			if err != nil {
				return err
			}
			r, err := protocol.DecodeStatusResponse(data)
			if err != nil {
				return fmt.Errorf("answer to status: %w", err)
			}
			if err := protocol.CheckClock(r.ServerTime, c.cfg.Now(), c.cfg.MaxClockSkew); err != nil {
				return &PermanentError{err}
			}
			resp = r
			return nil
		})
		if err != nil {
			return st, err
		}
		asked := map[string]bool{}
		for _, u := range part {
			asked[u] = true
		}
		st.Asked += len(part)
		for _, s := range resp.Statuses {
			if !asked[s.UUID] {
				continue
			}
			delete(asked, s.UUID) // a status listed twice counts once
			switch s.Outcome {
			case protocol.OutcomeAccepted, protocol.OutcomeRejected:
				if _, err := ob.SetOutcome(ctx, s.UUID, s.Outcome == protocol.OutcomeAccepted, s.Reason); err != nil {
					return st, err
				}
				if s.Outcome == protocol.OutcomeAccepted {
					st.Accepted++
				} else {
					st.Rejected++
				}
			case protocol.OutcomePending:
				st.Pending++
			default:
				st.Unknown++
				c.cfg.Progress("application %s: upstream does not know it although it acknowledged it", s.UUID)
			}
		}
	}
	return st, nil
}
