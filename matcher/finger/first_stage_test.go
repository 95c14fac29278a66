package finger

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
)

// expSample is one impression with its finger's name.
type expSample struct {
	finger string
	p      *Prepared
}

func expLoad(t *testing.T, set string) []expSample {
	dir := shared.Require(t, "data", "fingerprints", set)
	m, _ := filepath.Glob(filepath.Join(dir, "*.tif"))
	sort.Strings(m)
	var out []expSample
	for _, f := range m {
		fg := strings.Split(filepath.Base(f), "_")[0]
		fh, _ := os.Open(f)
		ppi := 500.0
		if strings.HasPrefix(set, "FVC2002_DB2") {
			ppi = 569
		}
		img, err := Decode(fh, ppi)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		tpl, _, err := Extract(img, nil)
		if err != nil {
			continue
		}
		out = append(out, expSample{fg, Prepare(tpl)})
	}
	return out
}

// quickR is a candidate cheaper first stage: LSS-R on the nr best pairs
// among the probe's nc most central cylinders, averaging np.
func quickR(probe, b *Prepared, nc, nr, np int) float64 {
	if probe.Len() == 0 || b.Len() == 0 {
		return 0
	}
	q := probe.head(nc)
	var top [maxRelax]pair
	k := topPairs(q, b, top[:nr])
	if k < 2 {
		return 0
	}
	return relax(q, b, top[:k], np)
}

// TestExpStages measures candidate first stages for Index.Search on the
// ten FVC sets (extracted from the images): for each, the threshold that
// keeps all, 99.8% and 99.5% of the genuine pairs Compare accepts at
// DefaultThreshold (pooled over the sets), and per set "genuine pairs
// lost / impostor pairs passed" at it. Slow (extracts 880 images), so only
// with FINGER_EXP=1:
//
//	FINGER_EXP=1 go test -run TestExpStages -v ./matcher/finger/
func TestExpStages(t *testing.T) {
	if os.Getenv("FINGER_EXP") == "" {
		t.Skip()
	}
	root, _ := shared.Dir()
	sets, _ := filepath.Glob(filepath.Join(root, "data", "fingerprints", "FVC*"))
	type stage struct {
		name string
		fn   func(a, b *Prepared) float64
	}
	stages := []stage{{"quick", QuickScore}, {"lss", lssScore}}
	for _, c := range [][3]int{{12, 12, 4}, {16, 12, 4}, {16, 16, 4}, {24, 16, 4}, {24, 16, 6}} {
		stages = append(stages, stage{fmt.Sprint("qr", c), func(a, b *Prepared) float64 { return quickR(a, b, c[0], c[1], c[2]) }})
	}
	type res struct{ gen, imp []float64 }
	all := make([][]res, len(stages))
	for _, sd := range sets {
		ss := expLoad(t, filepath.Base(sd))
		for si, st := range stages {
			var r res
			for i := range ss {
				for j := range ss {
					if i == j {
						continue
					}
					s := st.fn(ss[i].p, ss[j].p)
					if ss[i].finger == ss[j].finger {
						if Compare(ss[i].p, ss[j].p) < DefaultThreshold {
							continue
						}
						r.gen = append(r.gen, s)
					} else {
						r.imp = append(r.imp, s)
					}
				}
			}
			sort.Float64s(r.gen)
			sort.Float64s(r.imp)
			all[si] = append(all[si], r)
		}
	}
	for si, st := range stages {
		var pooled []float64
		for _, r := range all[si] {
			pooled = append(pooled, r.gen...)
		}
		sort.Float64s(pooled)
		for _, q := range []float64{0, 0.002, 0.005} {
			th := pooled[int(q*float64(len(pooled)))]
			line := fmt.Sprintf("%-14s keep %5.1f%% thr %.4f:", st.name, 100*(1-q), th)
			for _, r := range all[si] {
				lost := sort.SearchFloat64s(r.gen, th)
				k := sort.SearchFloat64s(r.imp, th)
				line += fmt.Sprintf(" %d/%4.1f%%", lost, 100*(1-float64(k)/float64(len(r.imp))))
			}
			t.Log(line)
		}
	}
}

// lssScore is MCC's LSS: the mean of the np best local similarities,
// what Compare has in hand before relaxation.
func lssScore(a, b *Prepared) float64 {
	na, nb := a.Len(), b.Len()
	if na == 0 || nb == 0 {
		return 0
	}
	np, nr := relaxSize(na, nb)
	var top [maxRelax]pair
	k := topPairs(a, b, top[:nr])
	var s float32
	for _, p := range top[:min(k, np)] {
		s += p.sim
	}
	return float64(s) / float64(np)
}
