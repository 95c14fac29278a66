package finger

import (
	"math"
	"os"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/finger/template"
)

// fuzzTemplates reads two templates from b: per minutia 5 bytes, x and y
// (12 bits each, so up to 4,095 px, duplicates and collinear points
// allowed) and a direction byte; a zero byte after a minutia starts the
// second template.
func fuzzTemplates(b []byte) (a, c *template.Template) {
	a = &template.Template{PPI: 500}
	c = &template.Template{PPI: 500}
	cur := a
	for len(b) >= 5 {
		xy := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
		m := template.Minutia{X: int(xy & 0xfff), Y: int(xy >> 12), Angle: float64(b[3]) * 2 * math.Pi / 256, Kind: template.Kind(1 + b[4]&1)}
		cur.Minutiae = append(cur.Minutiae, m)
		if b[4]&0x80 != 0 {
			cur = c
		}
		b = b[5:]
	}
	return a, c
}

func appendFuzzTemplate(b []byte, t *template.Template, last bool) []byte {
	for i, m := range t.Minutiae {
		xy := uint32(m.X&0xfff) | uint32(m.Y&0xfff)<<12
		b = append(b, byte(xy), byte(xy>>8), byte(xy>>16))
		k := byte(m.Kind-1) & 1
		if i == len(t.Minutiae)-1 && !last {
			k |= 0x80
		}
		b = append(b, byte(math.Round(m.Angle/(2*math.Pi)*256)), k)
	}
	return b
}

// FuzzCompareKernels compares arbitrary minutiae sets (duplicates,
// collinear points, far outliers, empty sets) with the CPU's kernels and
// with the portable code: the scores must be the same bits and in [0, 1].
func FuzzCompareKernels(f *testing.F) {
	if rowKernel == nil {
		f.Skip("no kernels on this CPU")
	}
	for _, name := range []string{"101_1", "101_2", "102_1"} {
		p, err := shared.Path("data", "fingerprints", "FVC2002_DB1_B", name+".iso")
		if err != nil {
			break
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		t1, err := template.ParseISO(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(appendFuzzTemplate(appendFuzzTemplate(nil, t1, false), t1, true))
	}
	f.Add([]byte{1, 2, 3, 4, 0x80, 1, 2, 3, 4, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ta, tb := fuzzTemplates(b)
		pa, pb := Prepare(ta), Prepare(tb)
		fast := Compare(pa, pb)
		SetKernels(false)
		slow := Compare(pa, pb)
		SetKernels(true)
		if math.Float64bits(fast) != math.Float64bits(slow) {
			t.Fatalf("kernels %v, portable %v", fast, slow)
		}
		if !(fast >= 0 && fast <= 1) {
			t.Fatalf("score %v out of [0, 1]", fast)
		}
	})
}
