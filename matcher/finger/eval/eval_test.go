package eval

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
)

func TestComputeRates(t *testing.T) {
	// Perfect separation: every rate is zero.
	r := ComputeRates([]float64{0.8, 0.9, 1}, []float64{0.1, 0.2, 0.3})
	if r.EER != 0 || r.FMR100 != 0 || r.FMR1000 != 0 || r.ZeroFMR != 0 {
		t.Errorf("separable: %+v", r)
	}
	// One genuine below one impostor among ten each: EER 10%, and no
	// threshold gives FMR 0 without losing that genuine.
	g := []float64{0.15, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1}
	im := []float64{0.05, 0.1, 0.12, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.62}
	r = ComputeRates(g, im)
	if math.Abs(r.EER-0.1) > 1e-9 || math.Abs(r.ZeroFMR-0.2) > 1e-9 {
		t.Errorf("overlap: %+v", r)
	}
}

func TestWriteDET(t *testing.T) {
	var buf bytes.Buffer
	err := WriteDET(&buf, []Curve{{Name: "x", Points: DET([]float64{0.5, 0.9}, []float64{0.1, 0.6})}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Fatal(err)
	}
}

// TestRunISO runs the matcher-only evaluation on one set's .iso templates
// (no extraction, a second or two): it must parse all 80 and separate
// genuine from impostor pairs far better than chance.
func TestRunISO(t *testing.T) {
	if testing.Short() {
		t.Skip("FVC matcher-only run skipped in -short mode")
	}
	dir := shared.Require(t, "data", "fingerprints", "FVC2002_DB4_B")
	r, err := Run(context.Background(), dir, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FVC2002 DB4 iso: EER %.2f%%, extended EER %.2f%%", r.FVC.EER*100, r.Extended.EER*100)
	if r.Failures != 0 || r.FVC.Genuine != 280 || r.FVC.Impostor != 45 || r.Extended.EER > 0.1 {
		t.Errorf("%+v", r.FVC)
	}
}
