package finger

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// TestConsKernel holds the consolidation kernel's candidate pairs to the
// grid search's, on real templates under the transforms their minutia
// pairs give and on random minutiae (crowded ones past the cap too).
func TestConsKernel(t *testing.T) {
	if consKernel == nil {
		t.Skip("no consolidation kernel for this CPU; the portable code is used")
	}
	gaveUp := 0
	check := func(name string, a, b *Prepared, tr rigid) {
		t.Helper()
		sc := new(scratch)
		sc.consLoadA(a)
		got, ok := sc.consCandsKernel(a, b, tr)
		got = slices.Clone(got)
		want := slices.Clone(sc.consCandsGrid(a, b, tr))
		if !ok {
			gaveUp++
			if len(want) < consCap {
				t.Fatalf("%s: kernel gave up with %d grid candidates", name, len(want))
			}
			return
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: kernel %d candidates, grid %d", name, len(got), len(want))
		}
	}
	ps := realTemplates(t, "FVC2002_DB1_B", 8)
	for x, a := range ps {
		for y, b := range ps {
			check(fmt.Sprintf("templates %d, %d identity", x, y), a, b, rigid{c: 1})
			for k := 0; k < len(a.mins) && k < len(b.mins); k += 7 {
				tr := pairRigid(&a.mins[k], &b.mins[(k*5)%len(b.mins)])
				check(fmt.Sprintf("templates %d, %d pair %d", x, y, k), a, b, tr)
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	random := func(n, span int) *Prepared {
		tp := &template.Template{Width: span, Height: span, PPI: 500}
		for range n {
			tp.Minutiae = append(tp.Minutiae, template.Minutia{
				X: r.IntN(span), Y: r.IntN(span), Angle: r.Float64() * 2 * math.Pi,
				Kind: template.Kind(1 + r.IntN(2)),
			})
		}
		return Prepare(tp)
	}
	for round := range 300 {
		n, span := 1+r.IntN(maxConsMin), 20+r.IntN(600)
		a, b := random(n, span), random(1+r.IntN(maxConsMin), span)
		if len(a.mins) == 0 || len(b.mins) == 0 {
			continue
		}
		s, c := math.Sincos(r.Float64() * 2 * math.Pi)
		tr := rigid{float32(c), float32(s), float32(r.NormFloat64() * 50), float32(r.NormFloat64() * 50)}
		check(fmt.Sprintf("random %d", round), a, b, tr)
	}
	// Crowded: more candidates than the kernel keeps, so it must give up
	// and leave them to the grid search.
	for round := range 5 {
		a, b := random(maxConsMin, 16), random(maxConsMin, 16)
		check(fmt.Sprintf("crowded %d", round), a, b, rigid{c: 1})
	}
	if gaveUp == 0 {
		t.Error("no case had more candidates than the kernel keeps")
	}
}

// TestAreaKernel holds the area-count kernel to inArea point by point, on
// real templates' areas with and without their image size, for points in
// and around them and a few that are not numbers.
func TestAreaKernel(t *testing.T) {
	if areaKernel == nil {
		t.Skip("no area kernel for this CPU; the portable code is used")
	}
	r := rand.New(rand.NewPCG(7, 8))
	ps := realTemplates(t, "FVC2002_DB1_B", 6)
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, -0.0}
	for x, p := range ps {
		for _, noImage := range []bool{false, true} {
			q := *p
			if noImage {
				q.w, q.h = 0, 0
			}
			for round := range 200 {
				var xs, ys [maxConsMin]float32
				n := r.IntN(maxConsMin + 1)
				for k := range n {
					xs[k], ys[k] = float32(r.Float64()*500-50), float32(r.Float64()*600-50)
					if r.IntN(40) == 0 {
						xs[k] = special[r.IntN(len(special))]
					}
				}
				want := 0
				for k := range n {
					if q.inArea(xs[k], ys[k]) {
						want++
					}
				}
				if got := q.countInArea(&xs, &ys, n); got != want {
					t.Fatalf("template %d (no image %v) round %d: kernel %d in area, inArea %d", x, noImage, round, got, want)
				}
			}
		}
	}
}
