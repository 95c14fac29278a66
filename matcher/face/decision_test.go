package face

import (
	"testing"

	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
)

func TestDefaultMatcher(t *testing.T) {
	m, err := DefaultMatcher()
	if err != nil {
		t.Fatal(err)
	}
	cal := m.Calibration()
	if cal.Source == "" || cal.Model == "" || len(cal.Notes) == 0 {
		t.Error("shipped calibration lacks a note of its data")
	}
	for _, target := range []float64{1e-2, 1e-3} {
		op, err := cal.Threshold(target)
		if err != nil || !op.Resolved {
			t.Fatalf("FMR %g: %+v %v", target, op, err)
		}
	}
	d := m.Decide(m.threshold)
	if !d.Match || d.FMR > 2*DefaultTargetFMR || d.Score < 50 || d.Score > 70 {
		t.Errorf("at threshold: %v", d)
	}
	far := m.Decide(0.9)
	if far.Match || far.Score > 5 {
		t.Errorf("far: %v", far)
	}
	var a faceindex.Descriptor
	same := m.Compare(&a, &a)
	if !same.Match || same.Score < 80 {
		t.Errorf("identical: %v", same)
	}
	if _, err := NewMatcher(cal, 0.5); err == nil {
		t.Error("uncalibrated target accepted")
	}
}

// TestSamePersonCloser checks, on the shared portraits, that the same person
// photographed twice is closer than two different people on average: a
// sanity check of the whole descriptor path, not an accuracy claim (that is
// "station eval face").
func TestSamePersonCloser(t *testing.T) {
	r := recognizer(t)
	imgs := idols(t)
	desc := map[string]faceindex.Descriptor{}
	for _, n := range []string{"jimin.jpg", "jimin2.jpg", "jimin6.jpg", "tzuyu.jpg", "tzuyu2.jpg", "bona2.jpg"} {
		m, err := Decode(imgs[n])
		if err != nil {
			t.Fatal(err)
		}
		fs, err := r.Detect(m)
		m.Close()
		if err != nil || len(fs) != 1 {
			t.Fatalf("%s: %d faces, %v", n, len(fs), err)
		}
		desc[n] = fs[0].Descriptor
	}
	dist := func(a, b string) float64 {
		x, y := desc[a], desc[b]
		return float64(faceindex.Distance(&x, &y))
	}
	same := (dist("jimin.jpg", "jimin2.jpg") + dist("jimin.jpg", "jimin6.jpg") + dist("tzuyu.jpg", "tzuyu2.jpg")) / 3
	diff := (dist("jimin.jpg", "tzuyu.jpg") + dist("jimin2.jpg", "bona2.jpg") + dist("tzuyu2.jpg", "bona2.jpg")) / 3
	t.Logf("mean same-person distance %.3f, different-person %.3f", same, diff)
	if same >= diff {
		t.Errorf("same person %.3f not closer than different people %.3f", same, diff)
	}
}
