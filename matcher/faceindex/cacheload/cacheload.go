// Package cacheload loads the 1:N face index from the station's citizen
// template cache. It is the one place that knows both sides: faceindex
// stays pure Go with no storage, and sync/cache knows nothing of matchers.
package cacheload

import (
	"context"
	"fmt"
	"strconv"

	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

// Source adapts a template cache to faceindex.Source. The index ID of a
// citizen is its 12-digit ID number read as a decimal integer (IDNumber
// turns it back); citizens without a face descriptor are skipped.
type Source struct{ Cache *cache.Cache }

var _ faceindex.Source = Source{}

// EachDescriptor implements faceindex.Source.
func (s Source) EachDescriptor(ctx context.Context, fn func(faceindex.ID, faceindex.Descriptor) error) error {
	return s.Cache.Each(ctx, func(z cache.Citizen) error {
		if !z.HasFace {
			return nil
		}
		id, err := strconv.ParseUint(z.IDNumber, 10, 64)
		if err != nil || len(z.IDNumber) != 12 {
			// The ID number stays out of the message: it is personal data.
			return fmt.Errorf("cacheload: cached citizen with a malformed ID number (%d characters)", len(z.IDNumber))
		}
		return fn(faceindex.ID(id), faceindex.Descriptor(z.Face))
	})
}

// IDNumber returns the 12-digit ID number of an index ID made by Source.
func IDNumber(id faceindex.ID) string { return fmt.Sprintf("%012d", uint64(id)) }
