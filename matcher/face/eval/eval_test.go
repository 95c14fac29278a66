package eval

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
)

func TestEvaluateKnown(t *testing.T) {
	// Genuine 0.1..1.1, impostor 0.55..1.55 in steps of 0.001: the EER is
	// where the uniform ranges cross.
	var ps []Pair
	for i := 0; i < 1000; i++ {
		ps = append(ps, Pair{true, 0.1 + float64(i)*0.001}, Pair{false, 0.55 + float64(i)*0.001})
	}
	r, err := Evaluate(ps, 1e-2, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.EER-0.275) > 0.01 || math.Abs(r.EERThreshold-0.825) > 0.01 {
		t.Errorf("EER %.3f at %.3f", r.EER, r.EERThreshold)
	}
	p := r.AtFMR[0]
	if p.FMR != 0.01 || p.Threshold >= 0.5601 || p.Threshold < 0.559 || !p.Resolved {
		t.Errorf("FMR 1e-2: %+v", p)
	}
	if q := r.AtFMR[1]; !q.Resolved || q.FMR != 0.001 {
		t.Errorf("FMR 1e-3: %+v", q)
	}
	short, _ := Evaluate(ps[:200], 1e-3)
	if q := short.AtFMR[0]; q.Resolved || q.FMR != 0 || q.Threshold >= 0.55 {
		t.Errorf("FMR 1e-3 on 100 impostors should be unresolved, below all: %+v", q)
	}
	if _, err := Evaluate([]Pair{{true, 0.3}}); err == nil {
		t.Error("no impostors accepted")
	}
}

func TestCalibrationFMR(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ps []Pair
	for i := 0; i < 20000; i++ {
		ps = append(ps, Pair{false, 0.7 + 0.1*r.NormFloat64()})
	}
	for i := 0; i < 500; i++ {
		ps = append(ps, Pair{true, 0.4 + 0.1*r.NormFloat64()})
	}
	rep, err := Evaluate(ps, 1e-2, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Calibrate("synthetic", "none", "today")
	b, _ := json.Marshal(c)
	c2, err := ParseCalibration(b)
	if err != nil {
		t.Fatal(err)
	}
	prev := 0.0
	for d := 0.0; d < 1.5; d += 0.01 {
		f, _ := c2.FMR(d)
		if f < prev {
			t.Fatalf("FMR not monotone at %.2f", d)
		}
		prev = f
	}
	for _, op := range c2.Thresholds {
		f, _ := c2.FMR(op.Threshold)
		if f > op.TargetFMR*1.5 || f < op.TargetFMR/3 {
			t.Errorf("FMR(%.4f) = %g for target %g", op.Threshold, f, op.TargetFMR)
		}
	}
	if f, below := c2.FMR(0); !below || f >= 1e-4 {
		t.Errorf("FMR(0) = %g below=%v", f, below)
	}
	var det, hist bytes.Buffer
	if err := rep.WriteDET(&det, "synthetic"); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHistogram(&hist, "synthetic"); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{det.Bytes(), hist.Bytes()} {
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ParseCalibration([]byte(`{"curve":[{"d":1,"fmr":0.5},{"d":0.5,"fmr":0.1}],"impostor_pairs":3}`)); err == nil {
		t.Error("decreasing curve accepted")
	}
}

func TestLabelOf(t *testing.T) {
	for in, want := range map[string]string{"jimin3.jpg": "jimin", "bona.jpg": "bona", "/x/tzuyu2.JPG": "tzuyu", "a12b3.png": "a12b"} {
		if got := LabelOf(in); got != want {
			t.Errorf("LabelOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDescriptorSet(t *testing.T) {
	p := shared.Require(t, "data", "faces", "idols", "idols.json")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := LoadDescriptorSet(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 1286 {
		t.Errorf("%d faces, want 1286", len(s))
	}
	if _, err := LoadDescriptorSet(strings.NewReader(`{"faces":[{"idol_id":"x","descriptor":"AAAA"}]}`)); err == nil {
		t.Error("short descriptor accepted")
	}
}

func FuzzParsePairsCSV(f *testing.F) {
	f.Add("a,b,same\nx.jpg,y.jpg,1\n")
	f.Add("x.jpg,y.jpg,0\n# comment\nq,r,true\n")
	f.Add("\"a,b\",c,1")
	f.Add(",,1")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParsePairsCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.A == "" || r.B == "" {
				t.Fatalf("empty name accepted: %+v", r)
			}
		}
	})
}
