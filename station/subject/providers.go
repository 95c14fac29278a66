package subject

import (
	"context"
	"errors"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/consent"
)

// ConsentProvider exports and erases the consent records of the citizen's
// applications.
type ConsentProvider struct{ Store *consent.Store }

// Name implements Provider.
func (ConsentProvider) Name() string { return "consent" }

// Export implements Provider.
func (p ConsentProvider) Export(ctx context.Context, q Query) (Section, error) {
	var recs []consent.Record
	for _, app := range q.Apps {
		r, err := p.Store.Get(ctx, app)
		if errors.Is(err, consent.ErrNoConsent) {
			continue
		}
		if err != nil {
			return Section{}, err
		}
		recs = append(recs, r)
	}
	if recs == nil {
		recs = []consent.Record{}
	}
	return Section{Data: recs}, nil
}

// Erase implements Provider. With the consent record gone, the consent
// gate refuses any further processing of those applications.
func (p ConsentProvider) Erase(ctx context.Context, q Query) (Erasure, error) {
	var e Erasure
	for _, app := range q.Apps {
		ok, err := p.Store.Delete(ctx, app)
		if err != nil {
			return e, err
		}
		if ok {
			e.Deleted++
		}
	}
	return e, nil
}

// AuditProvider exports the audit entries about the citizen: those naming
// one of their applications, and those naming their masked ID number
// (flagged: another citizen can share a masked number). Erase keeps them.
type AuditProvider struct{ Log *audit.Log }

// Name implements Provider.
func (AuditProvider) Name() string { return "audit" }

type auditItem struct {
	audit.Stored
	MatchedBy string `json:"matched_by"` // "application" or "masked_id"
}

// Export implements Provider.
func (p AuditProvider) Export(ctx context.Context, q Query) (Section, error) {
	byApp, err := p.Log.EntriesFor(ctx, q.Apps)
	if err != nil {
		return Section{}, err
	}
	byID, err := p.Log.EntriesFor(ctx, []string{q.Masked})
	if err != nil {
		return Section{}, err
	}
	items := []auditItem{}
	for _, s := range byApp {
		items = append(items, auditItem{s, "application"})
	}
	for _, s := range byID {
		items = append(items, auditItem{s, "masked_id"})
	}
	return Section{Data: items}, nil
}

// Erase implements Provider: audit entries are not erased. They are the
// access trail the law requires to be kept, hold the ID number only masked
// and no biometric data, and leave with the audit retention period.
func (AuditProvider) Erase(context.Context, Query) (Erasure, error) {
	return Erasure{Kept: []string{"audit entries: kept as the legally required access trail (masked ID only, no biometrics); deleted by audit retention"}}, nil
}
