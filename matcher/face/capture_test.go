package face

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/face/eval"
	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
)

func TestBestFrame(t *testing.T) {
	var b BestFrame
	d := &faceindex.Descriptor{}
	fail := func(score int, rs ...Reason) *Capture {
		return &Capture{Quality: Quality{Score: score, Reasons: rs}}
	}
	pass := func(score int) *Capture { return &Capture{Quality: Quality{Score: score}, Descriptor: d} }
	if best, near := b.Best(); best != nil || near != nil {
		t.Fatal("empty selector returned a frame")
	}
	b.Offer(fail(0, NoFace, TooDark))
	b.Offer(fail(40, PoseYaw))
	b.Offer(fail(70, PoseYaw, Blurred))
	if best, near := b.Best(); best != nil || near.Quality.Score != 40 {
		t.Fatalf("nearest failure: %v", near.Quality)
	}
	if !b.Offer(pass(60)) || b.Offer(pass(55)) || !b.Offer(pass(80)) || b.Offer(nil) {
		t.Fatal("Offer's new-best answers wrong")
	}
	if best, _ := b.Best(); best.Quality.Score != 80 || b.Frames() != 6 {
		t.Fatalf("best %d after %d frames", best.Quality.Score, b.Frames())
	}
}

// TestEvalPairsCSV runs the --pairs path of "station eval face" end to end.
func TestEvalPairsCSV(t *testing.T) {
	recognizer(t) // skip without models
	dir := shared.Require(t, "data", "faces", "idols")
	csv := filepath.Join(t.TempDir(), "pairs.csv")
	body := "a,b,same\n" +
		filepath.Join(dir, "jimin.jpg") + "," + filepath.Join(dir, "jimin2.jpg") + ",1\n" +
		filepath.Join(dir, "tzuyu.jpg") + "," + filepath.Join(dir, "tzuyu2.jpg") + ",1\n" +
		filepath.Join(dir, "jimin.jpg") + "," + filepath.Join(dir, "tzuyu.jpg") + ",0\n" +
		filepath.Join(dir, "bona2.jpg") + "," + filepath.Join(dir, "tzuyu2.jpg") + ",0\n" +
		filepath.Join(dir, "pristin.jpg") + "," + filepath.Join(dir, "bona2.jpg") + ",0\n"
	if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var log testWriter
	rep, err := RunEval(context.Background(), EvalConfig{PairsCSV: csv, OutDir: out, CalibrationOut: filepath.Join(out, "cal.json")}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	if rep.GenuineN != 2 || rep.ImpostorN != 2 {
		t.Errorf("pairs %d genuine, %d impostor; want 2 and 2 (the group photo skipped)", rep.GenuineN, rep.ImpostorN)
	}
	for _, f := range []string{"det.png", "hist.png", "cal.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "cal.json"))
	if _, err := eval.ParseCalibration(b); err != nil {
		t.Error(err)
	}
	if _, err := RunEval(context.Background(), EvalConfig{}, &log); err == nil {
		t.Error("no input accepted")
	}
}

type testWriter []byte

func (w *testWriter) Write(p []byte) (int, error) { *w = append(*w, p...); return len(p), nil }
func (w testWriter) String() string               { return string(w) }

// TestConcurrentAnalyze shares one Recognizer (pool of 2 go-face instances)
// between goroutines: every result must equal the sequential one. Run with
// -race to check the pool.
func TestConcurrentAnalyze(t *testing.T) {
	base := recognizer(t)
	r, err := NewRecognizer(Options{ModelDir: base.opts.ModelDir, Instances: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	imgs := idols(t)
	names := []string{"jimin6.jpg", "tzuyu.jpg", "bona2.jpg"}
	want := map[string]faceindex.Descriptor{}
	for _, n := range names {
		m, err := Decode(imgs[n])
		if err != nil {
			t.Fatal(err)
		}
		fs, err := r.Detect(m)
		m.Close()
		if err != nil || len(fs) != 1 {
			t.Fatalf("%s: %v %v", n, fs, err)
		}
		want[n] = fs[0].Descriptor
	}
	errc := make(chan error, 4*len(names))
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range names {
				n := names[(i+g)%len(names)]
				m, err := Decode(imgs[n])
				if err != nil {
					errc <- err
					return
				}
				fs, err := r.Detect(m)
				m.Close()
				if err != nil || len(fs) != 1 || fs[0].Descriptor != want[n] {
					errc <- fmt.Errorf("%s concurrently: %d faces, %v, same descriptor %v", n, len(fs), err, len(fs) == 1 && fs[0].Descriptor == want[n])
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}
