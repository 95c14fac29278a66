// Command tfjs2raw turns the TF.js weights of face-api's face-recognition
// network (@vladmandic/face-api, model/face_recognition_model*) into one flat
// stream of little-endian float32 values laid out the way dlib's ResNet
// (dlib_face_recognition_resnet_model_v1) stores its parameters.
//
// Usage:
//
//	tfjs2raw [-o out.f32] face_recognition_model-weights_manifest.json
//
// The stream lists the computational layers from the input to the output:
// for each of the 29 convolutions the filters as [out][in][h][w] and then the
// bias, followed by the affine layer's gamma and then beta; last the fc
// matrix as [256][128]. convert.cc reads it into dlib's anet_type.
//
// Quantized tensors are dequantized exactly as TF.js does (value = q*scale +
// min in float64, rounded once to float32) so that the converted model is
// the network face-api runs, bit for bit.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// NumParams is the parameter count of dlib's face-recognition ResNet.
const NumParams = 5614592

func main() {
	fs := flag.NewFlagSet("tfjs2raw", flag.ContinueOnError)
	out := fs.String("o", "-", "output file (- for stdout)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: tfjs2raw [-o out.f32] face_recognition_model-weights_manifest.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		os.Exit(2)
	}
	if err := run(fs.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "tfjs2raw:", err)
		os.Exit(1)
	}
}

func run(manifestPath, outPath string) error {
	mf, err := os.ReadFile(manifestPath)
	if err != nil {
		return err
	}
	groups, err := parseManifest(mf)
	if err != nil {
		return fmt.Errorf("%s: %w", manifestPath, err)
	}
	if len(groups) != 1 || len(groups[0].Paths) != 1 {
		return fmt.Errorf("%s: want one weights group with one file, got %d groups", manifestPath, len(groups))
	}
	binPath := filepath.Join(filepath.Dir(manifestPath), filepath.FromSlash(groups[0].Paths[0]))
	data, err := os.ReadFile(binPath)
	if err != nil {
		return err
	}
	params, err := Convert(groups[0].Weights, data)
	if err != nil {
		return fmt.Errorf("%s: %w", binPath, err)
	}

	var w io.Writer = os.Stdout
	var f *os.File
	if outPath != "-" {
		f, err = os.Create(outPath)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	if err := binary.Write(bw, binary.LittleEndian, params); err != nil {
		return fmt.Errorf("write %s: %w", outPath, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", outPath, err)
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

// WeightsGroup is one entry of a TF.js weights manifest.
type WeightsGroup struct {
	Paths   []string `json:"paths"`
	Weights []Weight `json:"weights"`
}

// Weight describes one tensor stored in a TF.js weights file.
type Weight struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	DType        string        `json:"dtype"`
	Quantization *Quantization `json:"quantization,omitempty"`
}

// Quantization is TF.js's affine uint8/uint16 quantization of a tensor.
type Quantization struct {
	DType string  `json:"dtype"`
	Scale float64 `json:"scale"`
	Min   float64 `json:"min"`
}

func parseManifest(b []byte) ([]WeightsGroup, error) {
	var groups []WeightsGroup
	if err := json.Unmarshal(b, &groups); err != nil {
		return nil, fmt.Errorf("parse weights manifest: %w", err)
	}
	return groups, nil
}

// tensor is one named, decoded tensor in TF.js layout.
type tensor struct {
	shape  []int
	values []float32
}

// Convert decodes the tensors described by weights from data and returns
// all NumParams parameters in dlib's order and layout.
func Convert(weights []Weight, data []byte) ([]float32, error) {
	tensors, err := decode(weights, data)
	if err != nil {
		return nil, err
	}
	out := make([]float32, 0, NumParams)
	used := 0
	take := func(name string, shape ...int) (tensor, error) {
		t, ok := tensors[name]
		if !ok {
			return tensor{}, fmt.Errorf("tensor %s missing", name)
		}
		if !equalInts(t.shape, shape) {
			return tensor{}, fmt.Errorf("tensor %s has shape %v, want %v", name, t.shape, shape)
		}
		used++
		return t, nil
	}
	for _, u := range convUnits() {
		f, err := take(u.name+"/conv/filters", u.k, u.k, u.in, u.out)
		if err != nil {
			return nil, err
		}
		out = appendFilters(out, f.values, u.k, u.k, u.in, u.out)
		for _, part := range []string{"/conv/bias", "/scale/weights", "/scale/biases"} {
			t, err := take(u.name+part, u.out)
			if err != nil {
				return nil, err
			}
			out = append(out, t.values...)
		}
	}
	fc, err := take("fc", 256, 128)
	if err != nil {
		return nil, err
	}
	// TF.js multiplies x·W with W as [in][out]; dlib's fc_ stores its
	// parameters as a (num_inputs × num_outputs) matrix: the same layout.
	out = append(out, fc.values...)

	if used != len(tensors) {
		var extra []string
		for name := range tensors {
			if !knownTensor(name) {
				extra = append(extra, name)
			}
		}
		return nil, fmt.Errorf("%d tensors not used by dlib's network: %s", len(tensors)-used, strings.Join(extra, ", "))
	}
	if len(out) != NumParams {
		return nil, fmt.Errorf("got %d parameters, dlib's network has %d", len(out), NumParams)
	}
	return out, nil
}

// decode reads every tensor of weights from data, in manifest order, and
// checks that data holds exactly those bytes.
func decode(weights []Weight, data []byte) (map[string]tensor, error) {
	tensors := make(map[string]tensor, len(weights))
	off := 0
	for _, w := range weights {
		if w.DType != "float32" {
			return nil, fmt.Errorf("tensor %s: dtype %q, want float32", w.Name, w.DType)
		}
		n := 1
		for _, d := range w.Shape {
			if d <= 0 || d > NumParams || n > NumParams/d {
				return nil, fmt.Errorf("tensor %s: bad shape %v", w.Name, w.Shape)
			}
			n *= d
		}
		if _, dup := tensors[w.Name]; dup {
			return nil, fmt.Errorf("tensor %s listed twice", w.Name)
		}
		size := 4
		if q := w.Quantization; q != nil {
			switch q.DType {
			case "uint8":
				size = 1
			case "uint16":
				size = 2
			default:
				return nil, fmt.Errorf("tensor %s: quantization dtype %q not supported", w.Name, q.DType)
			}
			if math.IsNaN(q.Scale) || math.IsInf(q.Scale, 0) || math.IsNaN(q.Min) || math.IsInf(q.Min, 0) {
				return nil, fmt.Errorf("tensor %s: bad quantization scale/min", w.Name)
			}
		}
		if len(data)-off < n*size {
			return nil, fmt.Errorf("tensor %s: weights file ends after %d bytes, need %d more", w.Name, len(data), n*size-(len(data)-off))
		}
		b := data[off : off+n*size]
		off += n * size
		v := make([]float32, n)
		switch size {
		case 4:
			for i := range v {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case 1:
			for i := range v {
				v[i] = dequantize(float64(b[i]), w.Quantization)
			}
		case 2:
			for i := range v {
				v[i] = dequantize(float64(binary.LittleEndian.Uint16(b[2*i:])), w.Quantization)
			}
		}
		tensors[w.Name] = tensor{shape: w.Shape, values: v}
	}
	if off != len(data) {
		return nil, fmt.Errorf("weights file has %d bytes, manifest describes %d", len(data), off)
	}
	if len(tensors) == 0 {
		return nil, errors.New("manifest lists no tensors")
	}
	return tensors, nil
}

// dequantize computes q*scale+min the way TF.js does: in float64, rounded
// once to float32. The explicit float64 conversion keeps the compiler from
// fusing the multiply-add, which would round differently.
func dequantize(q float64, p *Quantization) float32 {
	return float32(float64(q*p.Scale) + p.Min)
}

// appendFilters appends a TF.js conv filter [h][w][in][out] transposed to
// dlib's con_ layout [out][in][h][w].
func appendFilters(dst, src []float32, h, w, in, out int) []float32 {
	for o := 0; o < out; o++ {
		for i := 0; i < in; i++ {
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					dst = append(dst, src[((y*w+x)*in+i)*out+o])
				}
			}
		}
	}
	return dst
}

// convUnit is one convolution followed by its affine (scale) layer.
type convUnit struct {
	name       string
	k, in, out int
}

// convUnits lists the convolutions of dlib's anet_type from the input to
// the output: the 7×7 stem, then each residual block's two 3×3 convolutions
// (alevel4: 3×32, alevel3: 4×64, alevel2: 3×128, alevel1: 3×256,
// alevel0: 1×256).
func convUnits() []convUnit {
	units := []convUnit{{"conv32_down", 7, 3, 32}}
	prev := 32
	for _, stage := range []struct {
		width  int
		blocks []string
	}{
		{32, []string{"conv32_1", "conv32_2", "conv32_3"}},
		{64, []string{"conv64_down", "conv64_1", "conv64_2", "conv64_3"}},
		{128, []string{"conv128_down", "conv128_1", "conv128_2"}},
		{256, []string{"conv256_down", "conv256_1", "conv256_2"}},
		{256, []string{"conv256_down_out"}},
	} {
		for _, b := range stage.blocks {
			units = append(units,
				convUnit{b + "/conv1", 3, prev, stage.width},
				convUnit{b + "/conv2", 3, stage.width, stage.width})
			prev = stage.width
		}
	}
	return units
}

func knownTensor(name string) bool {
	if name == "fc" {
		return true
	}
	for _, u := range convUnits() {
		if strings.HasPrefix(name, u.name+"/") {
			switch strings.TrimPrefix(name, u.name+"/") {
			case "conv/filters", "conv/bias", "scale/weights", "scale/biases":
				return true
			}
		}
	}
	return false
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
