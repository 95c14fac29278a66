package finger_test

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/finger"
	"github.com/dinhdanh/dinhdanh/matcher/finger/eval"
)

// TestExtractGolden guards speed work on the extraction stages: with
// FINGER_GOLDEN=FILE it extracts every FVC image and records a digest of
// each template (every minutia bit for bit, and the quality) in FILE, or,
// when FILE exists, reports each image whose template differs from it.
// It also logs the median extraction time per set (one goroutine).
// Off by default: it takes tens of seconds.
func TestExtractGolden(t *testing.T) {
	file := os.Getenv("FINGER_GOLDEN")
	if file == "" {
		t.Skip("set FINGER_GOLDEN=FILE to record or check template digests")
	}
	got := map[string]string{}
	var names []string
	for _, fs := range fvcSets(t) {
		set := fs.name
		var times []time.Duration
		for i, img := range fs.imgs {
			s := fs.samples[i]
			start := time.Now()
			tpl, q, err := finger.Extract(img, nil)
			times = append(times, time.Since(start))
			h := sha256.New()
			fmt.Fprintf(h, "%d %v %v|", q.Score, q.Feedback, err)
			if tpl != nil {
				fmt.Fprintf(h, "%d %d %d|", tpl.Width, tpl.Height, tpl.Quality)
				for _, m := range tpl.Minutiae {
					fmt.Fprintf(h, "%d %d %x %d %d;", m.X, m.Y, math.Float64bits(m.Angle), m.Kind, m.Quality)
				}
			}
			name := set + "/" + filepath.Base(s.Path)
			names = append(names, name)
			got[name] = fmt.Sprintf("%x", h.Sum(nil)[:12])
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		t.Logf("%-15s median extraction %5.1f ms", set, float64(times[len(times)/2].Microseconds())/1000)
	}
	want, err := readGolden(file)
	if os.IsNotExist(err) {
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s %s\n", n, got[n])
		}
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded %d digests in %s", len(names), file)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	diff := 0
	for _, n := range names {
		if want[n] != got[n] {
			diff++
			t.Errorf("%s: template differs", n)
		}
	}
	t.Logf("%d of %d templates differ from %s", diff, len(names), file)
}

func readGolden(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, sum, ok := strings.Cut(sc.Text(), " "); ok {
			out[name] = sum
		}
	}
	return out, sc.Err()
}

// BenchmarkExtractFVC extracts every image of each FVC set, decoded
// beforehand; ns/op is per image (the eval's `extr ms` is the median).
//
//	go test -run '^$' -bench ExtractFVC -cpu 1 ./matcher/finger
func BenchmarkExtractFVC(b *testing.B) {
	for _, fs := range fvcSets(b) {
		imgs := fs.imgs
		b.Run(fs.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				finger.Extract(imgs[i%len(imgs)], nil)
				i++
			}
		})
	}
}

// fvcSet is one FVC database, decoded at its resolution.
type fvcSet struct {
	name    string
	samples []eval.Sample
	imgs    []finger.Image
}

// fvcSets decodes every FVC set of the shared data.
func fvcSets(tb testing.TB) []fvcSet {
	tb.Helper()
	root := shared.Require(tb, "data", "fingerprints")
	dirs, _ := filepath.Glob(filepath.Join(root, "FVC*"))
	var out []fvcSet
	for _, d := range dirs {
		fs := fvcSet{name: filepath.Base(d)}
		var err error
		if fs.samples, err = eval.ListDB(d); err != nil {
			tb.Fatal(err)
		}
		for _, s := range fs.samples {
			f, err := os.Open(s.Path)
			if err != nil {
				tb.Fatal(err)
			}
			img, err := finger.Decode(f, eval.PPI(fs.name))
			f.Close()
			if err != nil {
				tb.Fatalf("%s: %v", s.Path, err)
			}
			fs.imgs = append(fs.imgs, img)
		}
		out = append(out, fs)
	}
	return out
}
