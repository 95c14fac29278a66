package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/finger"
	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// peerEER is SourceAFIS's FVC EER per set (data README).
var peerEER = map[string]float64{
	"FVC2000_DB1_B": 1.07, "FVC2000_DB2_B": 9.98, "FVC2000_DB3_B": 33.91, "FVC2000_DB4_B": 9.09,
	"FVC2002_DB1_B": 2.54, "FVC2002_DB2_B": 1.07, "FVC2002_DB3_B": 8.91, "FVC2002_DB4_B": 6.90,
	"FVC2004_DB3_B": 6.73, "FVC2004_DB4_B": 6.55,
}

// TestAccExp is an accuracy experiment, not a test: FINGER_ACC=1 runs the
// FVC protocol on every set (templates cached under FINGER_ACC_CACHE when
// set, FINGER_ACC_ISO=1 for the .iso templates) and lists the genuine
// pairs scoring below the highest FVC impostor.
func TestAccExp(t *testing.T) {
	if os.Getenv("FINGER_ACC") == "" {
		t.Skip("FINGER_ACC not set")
	}
	root := shared.Require(t, "data", "fingerprints")
	sets, _ := filepath.Glob(filepath.Join(root, "FVC*"))
	iso := os.Getenv("FINGER_ACC_ISO") != ""
	cache := os.Getenv("FINGER_ACC_CACHE")
	only := os.Getenv("FINGER_ACC_SET")
	var sum, psum, xsum float64
	var n int
	var lines []string
	for _, dir := range sets {
		name := filepath.Base(dir)
		if only != "" && !strings.Contains(name, only) {
			continue
		}
		samples, err := ListDB(dir)
		if err != nil {
			t.Fatal(err)
		}
		if iso && !strings.Contains(name, "2002") && !strings.Contains(name, "2004") {
			continue
		}
		ps := make([]*finger.Prepared, len(samples))
		for i, s := range samples {
			tp := accTemplate(t, s.Path, name, iso, cache)
			if tp != nil {
				ps[i] = finger.Prepare(tp)
			}
		}
		score := func(i, j int) float64 {
			if ps[i] == nil || ps[j] == nil {
				return 0
			}
			return finger.Compare(ps[i], ps[j])
		}
		var gen, imp, ext []float64
		var topImpS float64
		var pfLost int
		var topImpName string
		type gp struct {
			a, b string
			s    float64
		}
		var gps []gp
		for i, a := range samples {
			for j := i + 1; j < len(samples); j++ {
				b := samples[j]
				s := score(i, j)
				if a.Finger == b.Finger {
					if s >= finger.DefaultThreshold && finger.QuickScore(ps[i], ps[j]) < finger.DefaultPrefilter {
						pfLost++
					}
					gen = append(gen, s)
					gps = append(gps, gp{filepath.Base(a.Path), filepath.Base(b.Path), s})
				} else {
					ext = append(ext, s)
					if a.Impression == 1 && b.Impression == 1 {
						imp = append(imp, s)
						if s > topImpS {
							topImpS, topImpName = s, fmt.Sprintf("%d/%d", a.Finger, b.Finger)
						}
					}
				}
			}
		}
		r := ComputeRates(gen, imp)
		x := ComputeRates(gen, ext)
		sort.Float64s(imp)
		top := imp[len(imp)-1]
		sort.Slice(gps, func(i, j int) bool { return gps[i].s < gps[j].s })
		var low []string
		for _, g := range gps {
			if g.s > top {
				break
			}
			low = append(low, fmt.Sprintf("%s/%s %.3f", strings.TrimSuffix(g.a, ".tif"), strings.TrimSuffix(g.b, ".tif"), g.s))
		}
		mark := ""
		if 100*r.EER > peerEER[name] {
			mark = " WORSE"
		}
		lines = append(lines, fmt.Sprintf("%-14s pfLostAccepted %d EER %6.2f%% (peer %5.2f)%-6s xEER %6.2f%% xFMR1k %6.2f%% thr1k %.3f gen p10/p50 %.3f/%.3f topImp %s %.3f imp2 %.3f below %d: %s",
			name, pfLost, 100*r.EER, peerEER[name], mark, 100*x.EER, 100*x.FMR1000, x.Threshold1000, gps[len(gps)/10].s, gps[len(gps)/2].s, topImpName, top, imp[len(imp)-2], len(low), strings.Join(low[:min(len(low), 100)], ", ")))
		sum += 100 * r.EER
		xsum += 100 * x.EER
		psum += peerEER[name]
		n++
	}
	for _, l := range lines {
		t.Log(l)
	}
	t.Logf("mean EER %.2f%% peer %.2f%% ratio %.3f; mean xEER %.2f%%", sum/float64(n), psum/float64(n), sum/psum, xsum/float64(n))
}

func accTemplate(t *testing.T, path, set string, iso bool, cache string) *template.Template {
	if iso {
		b, err := os.ReadFile(strings.TrimSuffix(path, ".tif") + ".iso")
		if err != nil {
			t.Fatal(err)
		}
		tp, err := template.ParseISO(b)
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	var cf string
	if cache != "" {
		cf = filepath.Join(cache, set, filepath.Base(path)+".json")
		if b, err := os.ReadFile(cf); err == nil {
			if len(b) == 0 {
				return nil
			}
			tp := new(template.Template)
			if err := json.Unmarshal(b, tp); err != nil {
				t.Fatal(err)
			}
			return tp
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := finger.Decode(f, PPI(set))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	tp, _, err := finger.Extract(img, nil)
	var b []byte
	if err == nil {
		b, err = json.Marshal(tp)
		if err != nil {
			t.Fatal(err)
		}
	} else {
		tp = nil
	}
	if cf != "" {
		os.MkdirAll(filepath.Dir(cf), 0o755)
		os.WriteFile(cf, b, 0o644)
	}
	return tp
}

// TestAccDebug writes the stages of FINGER_ACC_DEBUG=SET/NAME (e.g.
// FVC2000_DB2_B/101_2) under /tmp/facc/debug/NAME.
func TestAccDebug(t *testing.T) {
	v := os.Getenv("FINGER_ACC_DEBUG")
	if v == "" {
		t.Skip("FINGER_ACC_DEBUG not set")
	}
	for _, one := range strings.Split(v, ",") {
		set, name, _ := strings.Cut(one, "/")
		path := shared.Require(t, "data", "fingerprints", set, name+".tif")
		out := filepath.Join("/tmp/facc/debug", set+"_"+name)
		os.MkdirAll(out, 0o755)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := finger.Decode(f, PPI(set))
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		tp, q, err := finger.Extract(img, &finger.Options{DebugDir: out})
		if err != nil {
			t.Log(one, err)
			continue
		}
		t.Logf("%s: %d minutiae, quality %v", one, len(tp.Minutiae), q)
	}
}
