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
	root := shared.Require(t, "data", "fingerprints")
	dirs, _ := filepath.Glob(filepath.Join(root, "FVC*"))
	got := map[string]string{}
	var names []string
	for _, d := range dirs {
		samples, err := eval.ListDB(d)
		if err != nil {
			t.Fatal(err)
		}
		set := filepath.Base(d)
		var times []time.Duration
		for _, s := range samples {
			f, err := os.Open(s.Path)
			if err != nil {
				t.Fatal(err)
			}
			img, err := finger.Decode(f, eval.PPI(set))
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
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
	root := shared.Require(b, "data", "fingerprints")
	dirs, _ := filepath.Glob(filepath.Join(root, "FVC*"))
	for _, d := range dirs {
		set := filepath.Base(d)
		samples, err := eval.ListDB(d)
		if err != nil {
			b.Fatal(err)
		}
		var imgs []finger.Image
		for _, s := range samples {
			f, err := os.Open(s.Path)
			if err != nil {
				b.Fatal(err)
			}
			img, err := finger.Decode(f, eval.PPI(set))
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			imgs = append(imgs, img)
		}
		b.Run(set, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				finger.Extract(imgs[i%len(imgs)], nil)
				i++
			}
		})
	}
}
