package face

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dinhdanh/dinhdanh/matcher/face/eval"
)

// EvalConfig says what "station eval face" measures.
type EvalConfig struct {
	// Exactly one input: a folder of <person><n>.jpg images, a CSV of image
	// pairs, or a JSON set of labelled descriptors (go-face's idols.json).
	Dir, PairsCSV, DescriptorSet string
	// OutDir receives det.png and hist.png; empty means the current folder.
	OutDir string
	// Recognizer options for image inputs.
	Options Options
	// CalibrationOut, when set, is where the calibration JSON is written.
	CalibrationOut string
	// Note is added to the calibration's notes.
	Note string
}

// EvalTargets are the FMRs every evaluation reports FNMR at.
var EvalTargets = []float64{1e-2, 1e-3, 1e-4}

// RunEval runs one evaluation, prints the report to w and writes the PNGs
// (and the calibration when asked).
func RunEval(ctx context.Context, cfg EvalConfig, w io.Writer) (*eval.Report, error) {
	n := 0
	for _, s := range []string{cfg.Dir, cfg.PairsCSV, cfg.DescriptorSet} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("eval face: give exactly one of --dir, --pairs, --descriptors")
	}
	var (
		pairs   []eval.Pair
		skipped []eval.Skipped
		source  string
		mdl     string
	)
	start := time.Now()
	if cfg.DescriptorSet != "" {
		f, err := os.Open(cfg.DescriptorSet)
		if err != nil {
			return nil, fmt.Errorf("eval face: %w", err)
		}
		samples, err := eval.LoadDescriptorSet(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("eval face: %w", err)
		}
		pairs = eval.AllPairs(samples)
		source = fmt.Sprintf("%s: %d labelled descriptors of %d people", filepath.Base(cfg.DescriptorSet), len(samples), countLabels(samples))
		mdl = "descriptors as stored in the file (go-face's idols.json: dlib's original float ResNet)"
	} else {
		rec, err := NewRecognizer(cfg.Options)
		if err != nil {
			return nil, fmt.Errorf("eval face: %w", err)
		}
		defer rec.Close()
		mdl = fmt.Sprintf("go-face with the models in %s, %s detector", rec.opts.ModelDir, rec.opts.Detector)
		if cfg.Dir != "" {
			samples, sk, err := eval.LoadDir(ctx, cfg.Dir, rec)
			skipped = sk
			if err != nil {
				return nil, fmt.Errorf("eval face: %w", err)
			}
			pairs = eval.AllPairs(samples)
			source = fmt.Sprintf("%s: %d images of %d people (%d skipped)", filepath.Base(filepath.Clean(cfg.Dir)), len(samples), countLabels(samples), len(sk))
		} else {
			pairs, skipped, err = eval.PairsFromCSV(ctx, cfg.PairsCSV, rec)
			if err != nil {
				return nil, fmt.Errorf("eval face: %w", err)
			}
			source = fmt.Sprintf("%s: %d pairs (%d images skipped)", filepath.Base(cfg.PairsCSV), len(pairs), len(skipped))
		}
	}
	for _, s := range skipped {
		fmt.Fprintf(w, "skipped %s: %v\n", s.Name, s.Err)
	}
	rep, err := eval.Evaluate(pairs, EvalTargets...)
	if err != nil {
		return nil, fmt.Errorf("eval face: %w", err)
	}
	fmt.Fprintf(w, "data: %s\nmodel: %s\n", source, mdl)
	rep.Print(w)
	fmt.Fprintf(w, "(%.1f s)\n", time.Since(start).Seconds())

	out := cfg.OutDir
	if out == "" {
		out = "."
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("eval face: %w", err)
	}
	for name, draw := range map[string]func(io.Writer, string) error{"det.png": rep.WriteDET, "hist.png": rep.WriteHistogram} {
		p := filepath.Join(out, name)
		if err := writeFile(p, func(f io.Writer) error { return draw(f, "face: "+source) }); err != nil {
			return nil, fmt.Errorf("eval face: %w", err)
		}
		fmt.Fprintf(w, "wrote %s\n", p)
	}
	if cfg.CalibrationOut != "" {
		c := rep.Calibrate(source, mdl, time.Now().UTC().Format(time.DateOnly))
		if cfg.Note != "" {
			c.Notes = append(c.Notes, cfg.Note)
		}
		b, err := json.MarshalIndent(c, "", " ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(cfg.CalibrationOut, append(b, '\n'), 0o644); err != nil {
			return nil, fmt.Errorf("eval face: %w", err)
		}
		fmt.Fprintf(w, "wrote %s\n", cfg.CalibrationOut)
	}
	return rep, nil
}

func countLabels(s []eval.Sample) int {
	m := map[string]bool{}
	for _, x := range s {
		m[x.Label] = true
	}
	return len(m)
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
