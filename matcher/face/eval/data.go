package eval

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
)

// Describer turns an image file into one face descriptor; the station wires
// the go-face recognizer here. It fails for files without exactly one
// usable face.
type Describer interface {
	DescribeFile(path string) (faceindex.Descriptor, error)
}

// Skipped names an input that could not be used, and why.
type Skipped struct {
	Name string
	Err  error
}

// LabelOf is the person an image file belongs to under the
// <person><n>.<ext> convention: "jimin3.jpg" → "jimin", "bona.jpg" → "bona".
func LabelOf(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	return strings.TrimRight(base, "0123456789")
}

var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".jp2": true, ".j2k": true}

// LoadDir describes every image of dir, labelled by LabelOf.
func LoadDir(ctx context.Context, dir string, d Describer) ([]Sample, []Skipped, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load labelled images: %w", err)
	}
	var out []Sample
	var skipped []Skipped
	for _, e := range ents {
		if e.IsDir() || !imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		desc, err := d.DescribeFile(filepath.Join(dir, e.Name()))
		if err != nil {
			skipped = append(skipped, Skipped{e.Name(), err})
			continue
		}
		out = append(out, Sample{Label: LabelOf(e.Name()), Name: e.Name(), D: desc})
	}
	if len(out) < 2 {
		return nil, skipped, fmt.Errorf("load labelled images: only %d usable images in %s", len(out), dir)
	}
	return out, skipped, nil
}

// PairsFromCSV reads a CSV of image pairs: "a,b,same" per line (same is
// 1/0, true/false, same/different; a header line is allowed), paths relative
// to the CSV's folder. Each image is described once.
func PairsFromCSV(ctx context.Context, path string, d Describer) ([]Pair, []Skipped, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read pairs: %w", err)
	}
	defer f.Close()
	rows, err := ParsePairsCSV(f)
	if err != nil {
		return nil, nil, fmt.Errorf("read pairs %s: %w", path, err)
	}
	base := filepath.Dir(path)
	cache := map[string]*faceindex.Descriptor{}
	var skipped []Skipped
	describe := func(p string) *faceindex.Descriptor {
		if v, ok := cache[p]; ok {
			return v
		}
		full := p
		if !filepath.IsAbs(p) {
			full = filepath.Join(base, p)
		}
		desc, err := d.DescribeFile(full)
		if err != nil {
			skipped = append(skipped, Skipped{p, err})
			cache[p] = nil
			return nil
		}
		cache[p] = &desc
		return &desc
	}
	var pairs []Pair
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		a, b := describe(r.A), describe(r.B)
		if a == nil || b == nil {
			continue
		}
		pairs = append(pairs, Pair{r.Same, float64(faceindex.Distance(a, b))})
	}
	return pairs, skipped, nil
}

// PairRow is one line of a pairs CSV.
type PairRow struct {
	A, B string
	Same bool
}

// ParsePairsCSV parses the pairs CSV format of PairsFromCSV.
func ParsePairsCSV(r io.Reader) ([]PairRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var out []PairRow
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		var same bool
		switch strings.ToLower(strings.TrimSpace(rec[2])) {
		case "1", "true", "same", "genuine", "yes":
			same = true
		case "0", "false", "different", "diff", "impostor", "no":
		default:
			if line == 1 {
				continue // header
			}
			return nil, fmt.Errorf("line %d: third column %q is not same/different", line, rec[2])
		}
		if rec[0] == "" || rec[1] == "" {
			return nil, fmt.Errorf("line %d: empty file name", line)
		}
		out = append(out, PairRow{rec[0], rec[1], same})
	}
	if len(out) == 0 {
		return nil, errors.New("no pairs")
	}
	return out, nil
}

// LoadDescriptorSet reads labelled descriptors in the JSON layout of go-face's
// test data (shared/data/faces/idols/idols.json): {"idols": [{"id","name"}],
// "faces": [{"idol_id", "descriptor": base64 of 128 little-endian float32}]}.
func LoadDescriptorSet(r io.Reader) ([]Sample, error) {
	var doc struct {
		Idols []struct{ ID, Name string } `json:"idols"`
		Faces []struct {
			IdolID     string `json:"idol_id"`
			Descriptor string `json:"descriptor"`
		} `json:"faces"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("read descriptor set: %w", err)
	}
	names := map[string]string{}
	for _, i := range doc.Idols {
		names[i.ID] = i.Name
	}
	var out []Sample
	for n, f := range doc.Faces {
		b, err := base64.StdEncoding.DecodeString(f.Descriptor)
		if err != nil || len(b) != 4*faceindex.Dim {
			return nil, fmt.Errorf("read descriptor set: face %d: bad descriptor (%d bytes, %v)", n, len(b), err)
		}
		var d faceindex.Descriptor
		for i := range d {
			d[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("read descriptor set: face %d: %w", n, err)
		}
		label := f.IdolID
		if nm := names[label]; nm != "" {
			label = nm + "/" + label[:min(8, len(label))]
		}
		out = append(out, Sample{Label: label, Name: fmt.Sprintf("face %d", n), D: d})
	}
	if len(out) < 2 {
		return nil, errors.New("read descriptor set: fewer than 2 faces")
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, nil
}
