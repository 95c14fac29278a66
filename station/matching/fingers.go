package matching

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/dinhdanh/dinhdanh/matcher/finger"
	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
	"github.com/dinhdanh/dinhdanh/station/workflow"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

// FingerFMR is the false match rate finger.DefaultThreshold was
// calibrated for (FVC extended impostor sets, see matcher/finger/README.md).
const FingerFMR = 0.001

// SearchFalseCandidates is how many false candidates a finger 1:N search
// may bring on average: the search over the N cached fingers of a
// position scores at the threshold for FMR SearchFalseCandidates/N
// (finger.ThresholdForFMR), so a larger cache asks for a higher score.
// Below FMR 1e-5, which the FVC impostors cannot calibrate, the rate
// grows with N: the Score's FMR says which rate was used.
const SearchFalseCandidates = 0.01

// PositionCode is the cache's key of a finger position: "R1".."R5" for the
// right thumb to little finger, "L1".."L5" for the left.
func PositionCode(p workflow.FingerPosition) string {
	if !p.Valid() {
		return ""
	}
	if p <= workflow.RightLittle {
		return fmt.Sprintf("R%d", int(p-workflow.RightThumb)+1)
	}
	return fmt.Sprintf("L%d", int(p-workflow.LeftThumb)+1)
}

// Fingers compares live fingerprints with the cached templates (in the
// fingerprint engine's own format, DDFT) with matcher/finger: 1:1 against
// the claimed citizen's fingers, fused per person, and 1:N over an
// in-memory index of every cached finger, one index per finger position.
// It is safe for concurrent use.
type Fingers struct {
	Finger // extraction, quality, minutiae
	// Threshold is the fused score at or above which fingers match; zero
	// means finger.DefaultThreshold (FMR ≤ 0.1% per comparison).
	Threshold float64

	cache *cache.Cache

	mu    sync.Mutex
	byPos map[string]*finger.Index
	preps map[string]*finger.Prepared // ID number + "/" + position
}

// NewFingers returns the fingerprint matcher over c (nil: no cache). Call
// BuildIndex to enable the 1:N search.
func NewFingers(c *cache.Cache) *Fingers { return &Fingers{cache: c} }

func (f *Fingers) threshold() float64 {
	if f.Threshold > 0 {
		return f.Threshold
	}
	return finger.DefaultThreshold
}

func (f *Fingers) score(v float64) workflow.Score {
	thr := f.threshold()
	return workflow.Score{Value: v, Threshold: thr, Match: v >= thr, FMR: FingerFMR}
}

// searchThreshold is the 1:N threshold over indexes of at most n
// fingers, and the FMR per comparison it stands for: never below the 1:1
// threshold.
func (f *Fingers) searchThreshold(n int) (thr, fmr float64) {
	thr, fmr = finger.ThresholdForFMR(SearchFalseCandidates / float64(max(n, 1)))
	if t := f.threshold(); t >= thr {
		return t, FingerFMR
	}
	return thr, fmr
}

// cached decodes one cached template; its bytes come from upstream.
func cached(b []byte) (*finger.Prepared, error) {
	t, err := template.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	return finger.Prepare(t), nil
}

// BuildIndex loads every cached finger template into the 1:N index. It
// returns how many were indexed and how many were skipped because their
// bytes are not a DDFT template (another engine's, or damaged).
func (f *Fingers) BuildIndex(ctx context.Context) (indexed, skipped int, err error) {
	if f.cache == nil {
		return 0, 0, nil
	}
	// Preparing a template (its cylinders) is the cost of loading, about a
	// millisecond each: read them all, prepare them on every core, then
	// index them in cache order.
	type entry struct {
		id, pos string
		b       []byte
		p       *finger.Prepared
		err     error
	}
	var all []entry
	err = f.cache.Each(ctx, func(z cache.Citizen) error {
		for pos, b := range z.Fingers {
			all = append(all, entry{id: z.IDNumber, pos: pos, b: b})
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("build finger index: %w", err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(all) && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				all[i].p, all[i].err = cached(all[i].b)
				all[i].b = nil
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("build finger index: %w", err)
	}
	byPos := map[string]*finger.Index{}
	preps := map[string]*finger.Prepared{}
	for _, e := range all {
		if e.err != nil {
			skipped++
			continue
		}
		ix := byPos[e.pos]
		if ix == nil {
			ix = &finger.Index{}
			byPos[e.pos] = ix
		}
		ix.Add(e.id, e.p)
		preps[e.id+"/"+e.pos] = e.p
		indexed++
	}
	f.mu.Lock()
	f.byPos, f.preps = byPos, preps
	f.mu.Unlock()
	return indexed, skipped, nil
}

// live extracts and prepares the captured fingers by position code. A
// capture the engine rejects is left out.
func (f *Fingers) live(fingers []workflow.FingerCapture) map[string]*finger.Prepared {
	out := map[string]*finger.Prepared{}
	for _, c := range fingers {
		pos := PositionCode(c.Position)
		if !c.Captured() || pos == "" {
			continue
		}
		t, _, err := f.extract(c.Image)
		if err != nil || t == nil {
			continue
		}
		out[pos] = finger.Prepare(t)
	}
	return out
}

// FingerCache compares the live fingers with the cached templates of the
// ID number, finger by finger at the same position, and fuses the scores
// (finger.FusePerson). Fingers without a cached template are not counted;
// none in common makes the check unavailable.
func (f *Fingers) FingerCache(ctx context.Context, idNumber string, fingers []workflow.FingerCapture) (workflow.Score, error) {
	if f.cache == nil {
		return workflow.Score{}, workflow.ErrNotInCache
	}
	z, err := f.cache.Lookup(ctx, idNumber)
	if errors.Is(err, cache.ErrNotFound) {
		return workflow.Score{}, workflow.ErrNotInCache
	}
	if err != nil {
		return workflow.Score{}, err
	}
	var scores []float64
	var live map[string]*finger.Prepared
	for _, c := range fingers {
		pos := PositionCode(c.Position)
		b, ok := z.Fingers[pos]
		if !c.Captured() || !ok {
			continue
		}
		ref, err := cached(b)
		if err != nil {
			return workflow.Score{}, fmt.Errorf("cached %s template: %v: %w", pos, err, workflow.ErrUnavailable)
		}
		if live == nil {
			live = f.live(fingers)
		}
		p := live[pos]
		if p == nil {
			scores = append(scores, 0) // a capture the engine rejects matches nothing
			continue
		}
		scores = append(scores, finger.Compare(p, ref))
	}
	if len(scores) == 0 {
		return workflow.Score{}, fmt.Errorf("no cached template of the captured fingers: %w", workflow.ErrUnavailable)
	}
	return f.score(finger.FusePerson(scores)), nil
}

// Search finds the cached citizens whose fingers match the live ones: each
// live finger is searched in the index of its position (QuickScore
// prefilter, then exact scores at the threshold), and every citizen hit is
// then scored on all the live fingers it has templates of, fused as in
// FingerCache. It returns the k best, modality "finger".
//
// The threshold grows with the index (searchThreshold): over N cached
// fingers the expected false candidates are about N × FMR, held at
// SearchFalseCandidates down to FMR 1e-5. A finger duplicate is still a
// reason for review by a person, not proof.
func (f *Fingers) Search(ctx context.Context, fingers []workflow.FingerCapture, k int) ([]workflow.Candidate, error) {
	f.mu.Lock()
	byPos, preps := f.byPos, f.preps
	f.mu.Unlock()
	if len(byPos) == 0 {
		return nil, fmt.Errorf("finger 1:N: empty index: %w", workflow.ErrUnavailable)
	}
	live := f.live(fingers)
	if len(live) == 0 {
		return nil, fmt.Errorf("finger 1:N: no usable live finger: %w", workflow.ErrUnavailable)
	}
	n := 0
	for pos := range live {
		if ix := byPos[pos]; ix != nil {
			n = max(n, ix.Len())
		}
	}
	thr, fmr := f.searchThreshold(n)
	hit := map[string]bool{}
	for pos, p := range live {
		if ix := byPos[pos]; ix != nil {
			for _, h := range ix.Search(p, thr, finger.DefaultPrefilter) {
				hit[h.ID] = true
			}
		}
	}
	out := make([]workflow.Candidate, 0, len(hit))
	for id := range hit {
		var scores []float64
		for pos, p := range live {
			if ref := preps[id+"/"+pos]; ref != nil {
				scores = append(scores, finger.Compare(p, ref))
			}
		}
		v := finger.FusePerson(scores)
		out = append(out, workflow.Candidate{IDNumber: id, Modality: "finger", Score: workflow.Score{Value: v, Threshold: thr, Match: v >= thr, FMR: fmr}})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score.Value != out[j].Score.Value {
			return out[i].Score.Value > out[j].Score.Value
		}
		return out[i].IDNumber < out[j].IDNumber
	})
	if k > 0 && len(out) > k {
		out = out[:k]
	}
	return out, nil
}
