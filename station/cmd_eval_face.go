package main

import (
	"context"
	"flag"
	"io"

	"github.com/dinhdanh/dinhdanh/matcher/face"
)

func init() { evalTargets["face"] = runEvalFace }

// runEvalFace is "station eval face": accuracy of the face engine on
// labelled data, see face.RunEval.
func runEvalFace(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval face", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg face.EvalConfig
	fs.StringVar(&cfg.Dir, "dir", "", "folder of labelled images named <person><n>.jpg")
	fs.StringVar(&cfg.PairsCSV, "pairs", "", "CSV of image pairs: a,b,same (paths relative to the CSV)")
	fs.StringVar(&cfg.DescriptorSet, "descriptors", "", "JSON set of labelled descriptors (go-face's idols.json layout)")
	fs.StringVar(&cfg.OutDir, "out", ".", "folder for det.png and hist.png")
	fs.StringVar(&cfg.Options.ModelDir, "models", "", "go-face model folder (default: $DINHDANH_MODEL_DIR or ~/.local/share/dinhdanh/models)")
	fs.IntVar(&cfg.Options.MaxSide, "max-side", 0, "downscale images so the longer side is at most this before detection (default 800)")
	det := fs.String("detector", "hog", "face detector: hog or cnn")
	fs.StringVar(&cfg.CalibrationOut, "write-calibration", "", "also write the calibration JSON here")
	fs.StringVar(&cfg.Note, "note", "", "note stored with the calibration")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := face.ParseDetector(*det)
	if err != nil {
		return err
	}
	cfg.Options.Detector = d
	_, err = face.RunEval(ctx, cfg, stdout)
	return err
}
