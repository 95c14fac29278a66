// Package faceindex is the station's 1:N face search: every cached face
// descriptor held in memory, searched for the exact k nearest by Euclidean
// distance while the citizen waits.
//
// A search runs in two passes. The first streams int8 codes of all
// descriptors (128 bytes each, a quarter of the float32 data) through a SIMD
// kernel that computes exact integer squared distances between codes. The
// quantization error of every stored code and of the query is known, so the
// first pass yields, for each descriptor, a lower and an upper bound of its
// true distance; every descriptor whose lower bound is within the k-th
// smallest upper bound is re-ranked in float32. The answer is therefore
// exactly the float32 brute-force top-k (ties broken by ID), never an
// approximation: a poor quantization only costs re-ranking work.
//
// The kernel is chosen at run time from the CPU's features (AVX-512 VNNI,
// AVX2, or portable Go); the scan is split across cores. Adds and removes may
// run concurrently with searches.
package faceindex

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// ID identifies one enrolled descriptor, e.g. a row of the station's
// citizen template cache. The index never sees who the person is.
type ID uint64

// Result is one search hit.
type Result struct {
	ID       ID
	Distance float32 // Euclidean, as Distance computes it
}

// Options tunes New. The zero value is what the station uses.
type Options struct {
	// Kernel forces a distance kernel by name (see Kernels); empty picks
	// the fastest the CPU supports.
	Kernel string
	// Workers bounds the goroutines of one search; zero means GOMAXPROCS.
	Workers int
	// Scale is the int8 quantization step; zero means DefaultScale.
	Scale float32
}

// Index holds descriptors for exact k-nearest-neighbour search. It is safe
// for concurrent use.
type Index struct {
	kern    kernel
	workers int
	scale   float32

	mu    sync.RWMutex
	ids   []ID
	vecs  []Descriptor
	codes []int8 // len(ids)·Dim
	resid []float32
	slot  map[ID]int
	// errMax bounds the residual norm of every code not marked wide.
	// Descriptors with clamped components (wide) can be off by much more
	// than rounding; they skip the bound and are always re-ranked exactly,
	// so one odd descriptor cannot loosen the bound for the million others.
	errMax   float64
	wide     []bool
	wideSlot map[int]struct{}
}

// New returns an empty index.
func New(opts Options) (*Index, error) {
	k, err := lookupKernel(opts.Kernel)
	if err != nil {
		return nil, err
	}
	s := opts.Scale
	if s == 0 {
		s = DefaultScale
	}
	if !(s > 0) || math.IsInf(float64(s), 0) {
		return nil, fmt.Errorf("face index: bad quantization scale %g", s)
	}
	return &Index{kern: k, workers: opts.Workers, scale: s, slot: map[ID]int{}, wideSlot: map[int]struct{}{}}, nil
}

// Kernel names the distance kernel this index uses.
func (ix *Index) Kernel() string { return ix.kern.name }

// Len returns the number of descriptors held.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.ids)
}

// Add inserts d under id, replacing any descriptor already held for id.
func (ix *Index) Add(id ID, d Descriptor) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("face index: add: %w", err)
	}
	var code [Dim]int8
	r, wide := quantize(&d, ix.scale, code[:])
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if !wide {
		ix.errMax = max(ix.errMax, r)
	}
	i, ok := ix.slot[id]
	if ok {
		ix.vecs[i] = d
		copy(ix.codes[i*Dim:], code[:])
		ix.resid[i] = float32(r)
	} else {
		i = len(ix.ids)
		ix.slot[id] = i
		ix.ids = append(ix.ids, id)
		ix.vecs = append(ix.vecs, d)
		ix.codes = append(ix.codes, code[:]...)
		ix.resid = append(ix.resid, float32(r))
		ix.wide = append(ix.wide, false)
	}
	ix.setWide(i, wide)
	return nil
}

func (ix *Index) setWide(i int, w bool) {
	ix.wide[i] = w
	if w {
		ix.wideSlot[i] = struct{}{}
	} else {
		delete(ix.wideSlot, i)
	}
}

// Remove deletes the descriptor held for id and reports whether there was one.
func (ix *Index) Remove(id ID) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	i, ok := ix.slot[id]
	if !ok {
		return false
	}
	last := len(ix.ids) - 1
	if i != last {
		ix.ids[i] = ix.ids[last]
		ix.vecs[i] = ix.vecs[last]
		copy(ix.codes[i*Dim:(i+1)*Dim], ix.codes[last*Dim:])
		ix.resid[i] = ix.resid[last]
		ix.slot[ix.ids[i]] = i
		ix.setWide(i, ix.wide[last])
	}
	ix.setWide(last, false)
	ix.wide = ix.wide[:last]
	ix.ids = ix.ids[:last]
	ix.vecs = ix.vecs[:last]
	ix.codes = ix.codes[:last*Dim]
	ix.resid = ix.resid[:last]
	delete(ix.slot, id)
	return true
}

// Get returns the descriptor held for id.
func (ix *Index) Get(id ID) (Descriptor, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	i, ok := ix.slot[id]
	if !ok {
		return Descriptor{}, false
	}
	return ix.vecs[i], true
}

// ErrBadQuery is returned by Search for a query that is not a valid descriptor.
var ErrBadQuery = errors.New("face index: bad query")

// Search returns the k descriptors nearest to q, nearest first, exactly as a
// float32 brute-force scan would rank them (ties by ascending ID). It returns
// fewer when the index holds fewer than k.
func (ix *Index) Search(q Descriptor, k int) ([]Result, error) {
	return ix.search(&q, k, nil)
}

// SearchStats describes the work one search did, for benchmarks and the
// transparency log.
type SearchStats struct {
	Scanned    int // codes streamed through the int8 kernel
	Candidates int // descriptors re-ranked in float32
	Workers    int
}

// SearchWithStats is Search that also reports its work.
func (ix *Index) SearchWithStats(q Descriptor, k int) ([]Result, SearchStats, error) {
	var st SearchStats
	res, err := ix.search(&q, k, &st)
	return res, st, err
}

// blockLen is how many codes a worker scores per kernel call: 512 int32
// distances (2 KiB) stay in L1 while they are scanned.
const blockLen = 512

// minPerWorker keeps small indexes on one goroutine, where starting more
// costs more than it saves.
var minPerWorker = 16384

// candidate is a descriptor whose quantized distance bound admits it to the
// exact re-ranking.
type candidate struct {
	slot int
	d    int32
}

func (ix *Index) search(q *Descriptor, k int, st *SearchStats) ([]Result, error) {
	if k <= 0 {
		return nil, nil
	}
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadQuery, err)
	}
	var qcode [Dim]int8
	ey, _ := quantize(q, ix.scale, qcode[:])

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := len(ix.ids)
	if n == 0 {
		return nil, nil
	}
	k = min(k, n)
	// In code units, a descriptor may beat the k-th best only if
	// sqrt(D) <= sqrt(Dk) + margin (see the package comment); the slack
	// absorbs float32 rounding of the exact distances.
	margin := (2*(ix.errMax+ey) + 1e-4) / float64(ix.scale)
	limit := func(dk int32) int32 {
		t := math.Sqrt(float64(dk)) + margin
		t = math.Ceil(t * t)
		if t >= math.MaxInt32 {
			return math.MaxInt32
		}
		return int32(t)
	}

	workers := ix.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n/minPerWorker))
	parts := make([]partial, workers)
	if workers == 1 {
		ix.scan(qcode[:], 0, n, k, limit, &parts[0])
	} else {
		var wg sync.WaitGroup
		chunk := (n + workers - 1) / workers
		chunk = (chunk + 3) &^ 3
		for w := range parts {
			lo, hi := w*chunk, min(n, (w+1)*chunk)
			if lo >= hi {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				ix.scan(qcode[:], lo, hi, k, limit, &parts[w])
			}()
		}
		wg.Wait()
	}

	// Global k-th smallest code distance, then the final admission limit.
	var best []int32
	for i := range parts {
		best = append(best, parts[i].heap...)
	}
	slices.Sort(best)
	if len(best) < k { // mostly wide descriptors: no bound, rank all
		return ix.rankAll(q, k, st), nil
	}
	dk := best[k-1]
	t := limit(dk)
	// Tighter per-descriptor test with its own residual instead of the
	// largest: admit if s·sqrt(D) - e_x - e_q <= s·sqrt(Dk) + e_max + e_q.
	s := float64(ix.scale)
	tau := s*math.Sqrt(float64(dk)) + ix.errMax + 2*ey + 1e-4
	var res []Result
	cands := 0
	for i := range parts {
		for _, c := range parts[i].cands {
			if c.d > t || s*math.Sqrt(float64(c.d))-float64(ix.resid[c.slot]) > tau {
				continue
			}
			cands++
			res = append(res, Result{ix.ids[c.slot], Distance(q, &ix.vecs[c.slot])})
		}
	}
	for i := range ix.wideSlot {
		cands++
		res = append(res, Result{ix.ids[i], Distance(q, &ix.vecs[i])})
	}
	sortResults(res)
	if st != nil {
		*st = SearchStats{Scanned: n, Candidates: cands, Workers: workers}
	}
	return res[:k], nil
}

func sortResults(res []Result) {
	slices.SortFunc(res, func(a, b Result) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// rankAll is the exact float32 scan of everything.
func (ix *Index) rankAll(q *Descriptor, k int, st *SearchStats) []Result {
	res := make([]Result, len(ix.ids))
	for i := range ix.ids {
		res[i] = Result{ix.ids[i], Distance(q, &ix.vecs[i])}
	}
	sortResults(res)
	if st != nil {
		*st = SearchStats{Scanned: len(res), Candidates: len(res), Workers: 1}
	}
	return res[:k]
}

// partial is one worker's share of a search: a max-heap of the k smallest
// code distances it saw, and every slot that could still beat them.
type partial struct {
	heap  []int32
	cands []candidate
}

func (ix *Index) scan(q []int8, lo, hi, k int, limit func(int32) int32, p *partial) {
	var buf [blockLen]int32
	p.heap = make([]int32, 0, k)
	t := int32(math.MaxInt32)
	prune := 8*k + 1024
	for b := lo; b < hi; b += blockLen {
		e := min(hi, b+blockLen)
		out := buf[:e-b]
		ix.kern.fn(q, ix.codes[b*Dim:e*Dim], out)
		for j, d := range out {
			if d > t || ix.wide[b+j] {
				continue
			}
			p.cands = append(p.cands, candidate{b + j, d})
			if len(p.heap) < k {
				heapPush(&p.heap, d)
				if len(p.heap) == k {
					t = limit(p.heap[0])
				}
			} else if d < p.heap[0] {
				p.heap[0] = d
				heapDown(p.heap)
				t = limit(p.heap[0])
			}
		}
		// The limit only tightens: drop candidates it now excludes so the
		// list stays a small multiple of what the re-ranking needs.
		if len(p.cands) > prune {
			keep := p.cands[:0]
			for _, c := range p.cands {
				if c.d <= t {
					keep = append(keep, c)
				}
			}
			p.cands = keep
			prune = max(prune, 2*len(keep))
		}
	}
}

// heapPush and heapDown keep h a max-heap of int32.
func heapPush(h *[]int32, v int32) {
	*h = append(*h, v)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p] >= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func heapDown(a []int32) {
	i := 0
	for {
		l := 2*i + 1
		if l >= len(a) {
			return
		}
		m := l
		if r := l + 1; r < len(a) && a[r] > a[l] {
			m = r
		}
		if a[i] >= a[m] {
			return
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
}

// Source is where an index is loaded from, typically the station's citizen
// template cache table: EachDescriptor calls fn once per stored descriptor
// and stops at fn's first error.
type Source interface {
	EachDescriptor(ctx context.Context, fn func(id ID, d Descriptor) error) error
}

// Load adds every descriptor of src to the index.
func (ix *Index) Load(ctx context.Context, src Source) error {
	n := 0
	err := src.EachDescriptor(ctx, func(id ID, d Descriptor) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		return ix.Add(id, d)
	})
	if err != nil {
		return fmt.Errorf("face index: load (after %d descriptors): %w", n, err)
	}
	return nil
}

// Sink receives the descriptors of an index being saved.
type Sink interface {
	PutDescriptor(ctx context.Context, id ID, d Descriptor) error
}

// Save writes a consistent snapshot of the index to sink, in slot order. The
// snapshot is copied first so adds and searches are not held up by a slow
// sink.
func (ix *Index) Save(ctx context.Context, sink Sink) error {
	ix.mu.RLock()
	ids := slices.Clone(ix.ids)
	vecs := slices.Clone(ix.vecs)
	ix.mu.RUnlock()
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("face index: save: %w", err)
		}
		if err := sink.PutDescriptor(ctx, id, vecs[i]); err != nil {
			return fmt.Errorf("face index: save descriptor %d of %d: %w", i+1, len(ids), err)
		}
	}
	return nil
}
