package subject

import (
	"context"
	"errors"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

// ApplicationProvider exports and erases the citizen's applications: card
// data, checks, history and the captured evidence.
type ApplicationProvider struct {
	Repo *application.Repo
	// Actor is who the request runs for, recorded by the store's own
	// audit entries.
	Actor application.Actor
}

// Name implements Provider.
func (ApplicationProvider) Name() string { return "applications" }

// Export implements Provider: the applications as data and each piece of
// evidence as a file named UUID-KIND.
func (p ApplicationProvider) Export(ctx context.Context, q Query) (Section, error) {
	apps, err := p.Repo.ByIDNumber(ctx, p.Actor, q.IDNumber)
	if err != nil {
		return Section{}, err
	}
	sec := Section{Data: apps}
	if apps == nil {
		sec.Data = []*application.Application{}
	}
	for _, app := range apps {
		for _, e := range app.Evidence {
			b, err := p.Repo.Evidence(ctx, p.Actor, app.UUID, e.Kind)
			if err != nil {
				return Section{}, err
			}
			sec.Files = append(sec.Files, File{Name: app.UUID + "-" + e.Kind, Data: b})
		}
	}
	return sec, nil
}

// Erase implements Provider. Applications on their way upstream (queued,
// or uploaded and awaiting the outcome) block the erasure: erase after
// the outcome.
func (p ApplicationProvider) Erase(ctx context.Context, q Query) (Erasure, error) {
	n, err := p.Repo.EraseByIDNumber(ctx, p.Actor, q.IDNumber)
	return Erasure{Deleted: n}, err
}

// CacheProvider exports and erases the citizen's record in the template
// cache.
type CacheProvider struct{ Cache *cache.Cache }

// Name implements Provider.
func (CacheProvider) Name() string { return "template_cache" }

// Export implements Provider: the cached record (card data, face
// descriptor, finger templates), or null when the citizen is not cached.
func (p CacheProvider) Export(ctx context.Context, q Query) (Section, error) {
	z, err := p.Cache.Lookup(ctx, q.IDNumber)
	if errors.Is(err, cache.ErrNotFound) {
		return Section{Data: nil}, nil
	}
	if err != nil {
		return Section{}, err
	}
	return Section{Data: z}, nil
}

// Erase implements Provider.
func (p CacheProvider) Erase(ctx context.Context, q Query) (Erasure, error) {
	n, err := p.Cache.Erase(ctx, q.IDNumber)
	e := Erasure{Deleted: n}
	if n > 0 {
		e.Kept = []string{"template cache: upstream sends the record again with a later cache update while it holds the citizen for this office"}
	}
	return e, err
}
