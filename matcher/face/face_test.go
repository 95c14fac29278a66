package face

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/face/model"
)

var (
	recOnce sync.Once
	recErr  error
	testRec *Recognizer
)

// recognizer loads one Recognizer for the whole test binary, or skips
// loudly when the model files have not been made (scripts/facemodel).
func recognizer(tb testing.TB) *Recognizer {
	tb.Helper()
	dir, err := model.DefaultDir()
	if err != nil {
		tb.Skipf("*** SKIPPED: no face model folder: %v ***", err)
	}
	if err := model.Check(dir); err != nil {
		tb.Skipf("*** SKIPPED: face models not ready (run scripts/facemodel/prepare.sh): %v ***", err)
	}
	recOnce.Do(func() { testRec, recErr = NewRecognizer(Options{ModelDir: dir}) })
	if recErr != nil {
		tb.Fatal(recErr)
	}
	return testRec
}

// idols lists the shared portraits, file name → bytes.
func idols(tb testing.TB) map[string][]byte {
	tb.Helper()
	dir := shared.Require(tb, "data", "faces", "idols")
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".jpg") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestIdolsQualityReport(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses all 35 portraits")
	}
	r := recognizer(t)
	imgs := idols(t)
	for _, name := range sortedKeys(imgs) {
		c, err := r.AnalyzeBytes(imgs[name], LivePolicy)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		m := c.Quality.Metrics
		t.Logf("%-14s faces=%d ied=%5.1f yaw=%5.1f pitch=%5.1f roll=%5.1f sharp=%7.1f lum=%5.1f clip=%.3f dr=%3.0f %v",
			name, m.Faces, m.EyeDistance, m.Pose.Yaw, m.Pose.Pitch, m.Pose.Roll, m.Sharpness, m.Luminance, m.Clipped, m.DynamicRange, c.Quality)
	}
}
