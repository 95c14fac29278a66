package eval

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dinhdanh/dinhdanh/matcher/finger"
	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// Sample is one impression of an FVC database.
type Sample struct {
	Finger, Impression int
	Path               string
}

// ListDB finds the <finger>_<impression>.tif files of an FVC folder.
func ListDB(dir string) ([]Sample, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_*.tif"))
	if err != nil {
		return nil, err
	}
	var out []Sample
	for _, f := range files {
		var s Sample
		if _, err := fmt.Sscanf(filepath.Base(f), "%d_%d.tif", &s.Finger, &s.Impression); err != nil {
			continue
		}
		s.Path = f
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no FVC images (<finger>_<impression>.tif) in %s", dir)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Finger != out[j].Finger {
			return out[i].Finger < out[j].Finger
		}
		return out[i].Impression < out[j].Impression
	})
	return out, nil
}

// PPI returns the resolution of the named FVC set (see the data README);
// 500 for sets not listed.
func PPI(set string) float64 {
	switch {
	case strings.Contains(set, "FVC2002_DB2"):
		return 569
	case strings.Contains(set, "FVC2004_DB3"):
		return 512
	}
	return 500
}

// Result is the evaluation of one database.
type Result struct {
	Name           string
	FVC, Extended  Rates
	Failures       int                // images without a template
	ExtractMedian  time.Duration      // CPU time per image, one goroutine
	ComparePerSec  float64            // 1:1 comparisons per CPU-second, one goroutine (the fastest of speedRounds)
	CompareSpeedup float64            // ComparePerSec over the same with finger.SetKernels(false), measured in the same run
	SearchPerSec   float64            // 1:N candidates per CPU-second with the prefilter, one goroutine (the fastest of speedRounds)
	PrefilterLoss  float64            // fraction of the genuine pairs Compare accepts (DefaultThreshold) that the 1:N prefilter drops
	PrefilterPass  float64            // fraction of impostor pairs (extended set) it lets through to exact scoring
	ISO            bool               // read from the .iso templates, not extracted
	Samples        []Sample           `json:"-"`
	Prepared       []*finger.Prepared `json:"-"` // per sample, nil where extraction failed
	GenuineScores  []float64          `json:"-"`
	ImpostorScores []float64          `json:"-"`
	ExtendedScores []float64          `json:"-"`
}

// Run evaluates a database. With isoTemplates it reads the .iso file
// beside each image instead of extracting, judging the matcher alone.
func Run(ctx context.Context, dir string, isoTemplates bool) (*Result, error) {
	samples, err := ListDB(dir)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(dir)
	prepared := make([]*finger.Prepared, len(samples))
	times := make([]time.Duration, len(samples))
	var failures int
	var mu sync.Mutex
	var firstErr error
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				p, d, err := load(samples[i].Path, name, isoTemplates)
				mu.Lock()
				if err != nil && !isRejection(err) && firstErr == nil {
					firstErr = err
				}
				if p == nil {
					failures++
				}
				prepared[i], times[i] = p, d
				mu.Unlock()
			}
		}()
	}
	for i := range samples {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if firstErr != nil {
		return nil, firstErr
	}
	r := &Result{Name: name, Failures: failures, ISO: isoTemplates, Samples: samples, Prepared: prepared}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	r.ExtractMedian = times[len(times)/2]
	// A failed extraction counts as a non-match in every comparison, as in FVC.
	score := func(i, j int) float64 {
		if prepared[i] == nil || prepared[j] == nil {
			return 0
		}
		return finger.Compare(prepared[i], prepared[j])
	}
	// Whether Search would score the pair exactly or drop it early.
	passes := func(i, j int) bool {
		if prepared[i] == nil || prepared[j] == nil {
			return false
		}
		_, ok := finger.Screen(prepared[i], prepared[j], finger.DefaultPrefilter)
		return ok
	}
	accepted := 0
	for i, a := range samples {
		for j := i + 1; j < len(samples); j++ {
			b := samples[j]
			switch {
			case a.Finger == b.Finger:
				s := score(i, j)
				r.GenuineScores = append(r.GenuineScores, s)
				if s >= finger.DefaultThreshold {
					accepted++
					if !passes(i, j) {
						r.PrefilterLoss++
					}
				}
			default:
				s := score(i, j)
				if passes(i, j) {
					r.PrefilterPass++
				}
				r.ExtendedScores = append(r.ExtendedScores, s)
				if a.Impression == 1 && b.Impression == 1 {
					r.ImpostorScores = append(r.ImpostorScores, s)
				}
			}
		}
	}
	r.FVC = ComputeRates(r.GenuineScores, r.ImpostorScores)
	r.Extended = ComputeRates(r.GenuineScores, r.ExtendedScores)
	r.PrefilterLoss /= float64(max(accepted, 1))
	r.PrefilterPass /= float64(max(len(r.ExtendedScores), 1))
	r.ComparePerSec = fastest(func() float64 { return compareSpeed(prepared) })
	if finger.SetKernels(false) {
		r.CompareSpeedup = r.ComparePerSec / fastest(func() float64 { return compareSpeed(prepared) })
		finger.SetKernels(true)
	}
	r.SearchPerSec = fastest(func() float64 { return searchSpeed(prepared) })
	return r, nil
}

func isRejection(err error) bool {
	return errors.Is(err, finger.ErrRejected)
}

func load(path, set string, iso bool) (*finger.Prepared, time.Duration, error) {
	if iso {
		b, err := os.ReadFile(strings.TrimSuffix(path, ".tif") + ".iso")
		if err != nil {
			return nil, 0, err
		}
		t, err := template.ParseISO(b)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		return finger.Prepare(t), 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	img, err := finger.Decode(f, PPI(set))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	clock := startCPUClock()
	t, _, err := finger.Extract(img, nil)
	d := clock.elapsed()
	clock.stop()
	if err != nil {
		return nil, d, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return finger.Prepare(t), d, nil
}

// speedRounds is how many times the eval measures each rate, keeping the
// fastest: on a shared host other guests slow some rounds down (by up to
// a third, with this VM otherwise idle, even per CPU-second), and none
// speeds one up.
const speedRounds = 3

// fastest returns the highest of speedRounds rates measured by rate.
func fastest(rate func() float64) float64 {
	var best float64
	for range speedRounds {
		best = max(best, rate())
	}
	return best
}

// compareSpeed runs all-against-all comparisons on one goroutine for at
// least half a second and returns comparisons per CPU-second.
func compareSpeed(ps []*finger.Prepared) float64 {
	var ok []*finger.Prepared
	for _, p := range ps {
		if p != nil {
			ok = append(ok, p)
		}
	}
	if len(ok) < 2 {
		return 0
	}
	n := 0
	var sink float64
	clock := startCPUClock()
	defer clock.stop()
	for clock.wallElapsed() < 500*time.Millisecond {
		for _, a := range ok {
			for _, b := range ok {
				sink += finger.Compare(a, b)
			}
		}
		n += len(ok) * len(ok)
	}
	_ = sink
	return float64(n) / clock.elapsed().Seconds()
}

// searchSpeed puts every template in an Index and searches it with each
// in turn on one goroutine for at least half a second; it returns
// candidates examined per CPU-second.
func searchSpeed(ps []*finger.Prepared) float64 {
	var x finger.Index
	for i, p := range ps {
		if p != nil {
			x.Add(fmt.Sprint(i), p)
		}
	}
	if x.Len() < 2 {
		return 0
	}
	n := 0
	clock := startProcessClock()
	defer clock.stop()
	for clock.wallElapsed() < 500*time.Millisecond {
		for _, p := range ps {
			if p != nil {
				x.Search(p, finger.DefaultThreshold, finger.DefaultPrefilter)
				n += x.Len()
			}
		}
	}
	return float64(n) / clock.elapsed().Seconds()
}

// DETCurves returns the FVC and extended DET curves of r for WriteDET.
func (r *Result) DETCurves() []Curve {
	return []Curve{
		{Name: r.Name + " FVC", Points: DET(r.GenuineScores, r.ImpostorScores), Color: color.RGBA{200, 30, 30, 255}},
		{Name: r.Name + " extended", Points: DET(r.GenuineScores, r.ExtendedScores), Color: color.RGBA{30, 30, 200, 255}},
	}
}

// PeerEER holds SourceAFIS's FVC-protocol EERs from the data README.
var PeerEER = map[string]float64{
	"FVC2000_DB1_B": 0.0107, "FVC2000_DB2_B": 0.0998, "FVC2000_DB3_B": 0.3391, "FVC2000_DB4_B": 0.0909,
	"FVC2002_DB1_B": 0.0254, "FVC2002_DB2_B": 0.0107, "FVC2002_DB3_B": 0.0891, "FVC2002_DB4_B": 0.0690,
	"FVC2004_DB3_B": 0.0673, "FVC2004_DB4_B": 0.0655,
}
