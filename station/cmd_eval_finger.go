package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/finger/eval"
)

func init() { evalTargets["finger"] = runEvalFinger }

func runEvalFinger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval finger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "FVC database folder (<finger>_<impression>.tif)")
	all := fs.Bool("all", false, "evaluate every set under the shared data's fingerprints folder")
	iso := fs.Bool("iso", true, "also run the matcher alone on the .iso templates beside the images, where present")
	detDir := fs.String("det", "", "write DET curves as DIR/<set>.png (red: FVC impostors, blue: extended)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var dirs []string
	switch {
	case *all:
		root, err := shared.Path("data", "fingerprints")
		if err != nil {
			return err
		}
		m, _ := filepath.Glob(filepath.Join(root, "FVC*"))
		dirs = m
	case *db != "":
		dirs = []string{*db}
	default:
		return &exitError{2, errors.New("need --db PATH or --all")}
	}
	if *detDir != "" {
		if err := os.MkdirAll(*detDir, 0o755); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%-15s %-5s %5s %7s %7s %7s %7s | %7s %7s %7s %7s | %8s %9s %6s %7s %9s %6s %6s %6s\n",
		"set", "input", "fail", "EER", "FMR100", "FMR1000", "ZeroFMR", "xEER", "xFMR100", "xFMR1k", "xZero", "extr ms", "cmp/s", "xport", "peerEER", "1:N/s", "pfLoss", "pfPass", "thr1k")
	var sumOur, sumPeer float64
	var nSets int
	var results []*eval.Result
	for _, d := range dirs {
		for _, useISO := range []bool{false, true} {
			if useISO {
				if !*iso {
					continue
				}
				if m, _ := filepath.Glob(filepath.Join(d, "*.iso")); len(m) == 0 {
					continue
				}
			}
			r, err := eval.Run(ctx, d, useISO)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Base(d), err)
			}
			results = append(results, r)
			input, peer := "image", "-"
			if useISO {
				input = "iso"
			} else if p, ok := eval.PeerEER[r.Name]; ok {
				peer = fmt.Sprintf("%.2f%%", p*100)
				sumOur += r.FVC.EER
				sumPeer += p
				nSets++
			}
			pc := func(v float64) string { return fmt.Sprintf("%.2f%%", v*100) }
			speedup := "-"
			if r.CompareSpeedup > 0 {
				speedup = fmt.Sprintf("%.2f", r.CompareSpeedup)
			}
			fmt.Fprintf(stdout, "%-15s %-5s %5d %7s %7s %7s %7s | %7s %7s %7s %7s | %8.1f %9.0f %6s %7s %9.0f %6s %6s %6.3f\n",
				r.Name, input, r.Failures, pc(r.FVC.EER), pc(r.FVC.FMR100), pc(r.FVC.FMR1000), pc(r.FVC.ZeroFMR),
				pc(r.Extended.EER), pc(r.Extended.FMR100), pc(r.Extended.FMR1000), pc(r.Extended.ZeroFMR),
				float64(r.ExtractMedian.Microseconds())/1000, r.ComparePerSec, speedup, peer, r.SearchPerSec, pc(r.PrefilterLoss), pc(r.PrefilterPass), r.Extended.Threshold1000)
			if *detDir != "" {
				f, err := os.Create(filepath.Join(*detDir, r.Name+"_"+input+".png"))
				if err != nil {
					return err
				}
				err = eval.WriteDET(f, r.DETCurves())
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
			}
		}
	}
	if nSets > 1 {
		fmt.Fprintf(stdout, "mean FVC EER over %d sets (images): ours %.2f%%, SourceAFIS %.2f%%, ratio %.2f\n",
			nSets, sumOur/float64(nSets)*100, sumPeer/float64(nSets)*100, sumOur/sumPeer)
	}
	if len(results) > 1 {
		p, err := eval.Pool(ctx, results)
		if err != nil {
			return err
		}
		if p.Sets > 1 {
			printPooled(stdout, p)
		}
	}
	return nil
}

// printPooled prints thresholds at low false match rates from every set's
// comparisons together: one set cannot resolve FMR below 0.1%.
func printPooled(w io.Writer, p *eval.Pooled) {
	fmt.Fprintf(w, "\npooled over %d sets (images): %d genuine, %d same-set impostor, %d cross-set impostor comparisons\n",
		p.Sets, len(p.Genuine), len(p.SameSet), len(p.CrossSet))
	fmt.Fprintf(w, "%-9s | %-26s | %-26s\n", "", "same-set impostors", "all impostors")
	fmt.Fprintf(w, "%-9s | %9s %8s %7s | %9s %8s %7s\n", "FMR ≤", "threshold", "FMR", "FNMR", "threshold", "FMR", "FNMR")
	all := append(append([]float64(nil), p.SameSet...), p.CrossSet...)
	targets := []float64{1e-3, 1e-4, 1e-5}
	same, both := eval.At(p.Genuine, p.SameSet, targets...), eval.At(p.Genuine, all, targets...)
	cell := func(o eval.OperatingPoint) string {
		if !o.Resolved {
			return fmt.Sprintf("%26s", "too few impostors")
		}
		return fmt.Sprintf("%9.4f %8.1e %6.2f%%", o.Threshold, o.FMR, o.FNMR*100)
	}
	for i, t := range targets {
		fmt.Fprintf(w, "%-9.0e | %s | %s\n", t, cell(same[i]), cell(both[i]))
	}
}
