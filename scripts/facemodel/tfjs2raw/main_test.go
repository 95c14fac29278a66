package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// synthetic builds a manifest with every tensor dlib's network needs, in
// face-api's order, and matching weights data. Tensors whose name is in
// float32 are stored unquantized; value(name, i) gives element i.
func synthetic(float32s map[string]bool) ([]Weight, []byte) {
	var ws []Weight
	var data []byte
	add := func(name string, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		w := Weight{Name: name, Shape: shape, DType: "float32"}
		if float32s[name] {
			for i := 0; i < n; i++ {
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(i)))
			}
		} else {
			w.Quantization = &Quantization{DType: "uint8", Scale: 0.5, Min: -3}
			for i := 0; i < n; i++ {
				data = append(data, byte(i))
			}
		}
		ws = append(ws, w)
	}
	for _, u := range convUnits() {
		add(u.name+"/conv/filters", u.k, u.k, u.in, u.out)
		add(u.name+"/conv/bias", u.out)
		add(u.name+"/scale/weights", u.out)
		add(u.name+"/scale/biases", u.out)
	}
	add("fc", 256, 128)
	return ws, data
}

func TestConvertLayout(t *testing.T) {
	ws, data := synthetic(map[string]bool{"conv32_down/conv/filters": true})
	if len(ws) != 117 {
		t.Fatalf("synthetic manifest has %d tensors, face-api's has 117", len(ws))
	}
	out, err := Convert(ws, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != NumParams {
		t.Fatalf("%d parameters, want %d", len(out), NumParams)
	}
	// The stem's float32 filters: TF.js [7][7][3][32] holds value i at
	// i = ((y*7+x)*3+c)*32+o; dlib wants [o][c][y][x].
	for _, tc := range []struct{ o, c, y, x int }{{0, 0, 0, 0}, {0, 0, 0, 1}, {1, 0, 0, 0}, {31, 2, 6, 6}, {5, 1, 3, 2}} {
		got := out[((tc.o*3+tc.c)*7+tc.y)*7+tc.x]
		want := float32(((tc.y*7+tc.x)*3+tc.c)*32 + tc.o)
		if got != want {
			t.Errorf("filter[o=%d][c=%d][y=%d][x=%d] = %v, want %v", tc.o, tc.c, tc.y, tc.x, got, want)
		}
	}
	// Then the stem's bias, gamma, beta: uint8 i dequantized to i*0.5-3.
	off := 7 * 7 * 3 * 32
	for part := 0; part < 3; part++ {
		for i := 0; i < 32; i++ {
			if got, want := out[off+32*part+i], float32(i)*0.5-3; got != want {
				t.Fatalf("stem part %d [%d] = %v, want %v", part, i, got, want)
			}
		}
	}
	// The fc matrix [256][128] is last, unchanged.
	fc := out[NumParams-256*128:]
	for _, i := range []int{0, 1, 128, 256*128 - 1} {
		if want := float32(byte(i))*0.5 - 3; fc[i] != want {
			t.Errorf("fc[%d] = %v, want %v", i, fc[i], want)
		}
	}
}

func TestConvertErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func([]Weight, []byte) ([]Weight, []byte)
		want   string
	}{
		{"missing tensor", func(ws []Weight, d []byte) ([]Weight, []byte) {
			return ws[:len(ws)-1], d[:len(d)-256*128]
		}, "tensor fc missing"},
		{"wrong shape", func(ws []Weight, d []byte) ([]Weight, []byte) {
			ws[1].Shape = []int{16, 2}
			return ws, d
		}, "conv32_down/conv/bias has shape [16 2]"},
		{"extra tensor", func(ws []Weight, d []byte) ([]Weight, []byte) {
			ws = append(ws, Weight{Name: "extra", Shape: []int{2}, DType: "float32"})
			return ws, append(d, make([]byte, 8)...)
		}, "not used by dlib's network: extra"},
		{"trailing bytes", func(ws []Weight, d []byte) ([]Weight, []byte) {
			return ws, append(d, 0)
		}, "manifest describes"},
		{"short data", func(ws []Weight, d []byte) ([]Weight, []byte) {
			return ws, d[:len(d)-1]
		}, "tensor fc: weights file ends"},
		{"duplicate", func(ws []Weight, d []byte) ([]Weight, []byte) {
			ws[2] = ws[1]
			return ws, d
		}, "listed twice"},
		{"int32", func(ws []Weight, d []byte) ([]Weight, []byte) {
			ws[0].DType = "int32"
			return ws, d
		}, "dtype \"int32\""},
		{"bad quantization", func(ws []Weight, d []byte) ([]Weight, []byte) {
			ws[1].Quantization.Scale = math.Inf(1)
			return ws, d
		}, "bad quantization"},
		{"zero dimension", func(ws []Weight, d []byte) ([]Weight, []byte) {
			ws[0].Shape = []int{0, 7, 3, 32}
			return ws, d
		}, "bad shape"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws, data := synthetic(nil)
			ws, data = tc.modify(ws, data)
			_, err := Convert(ws, data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Convert = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestDequantizeMatchesTFJS(t *testing.T) {
	// TF.js computes q*scale+min in float64 and stores the float32
	// rounding; computing in float32 would differ in the last bit here.
	q := &Quantization{Scale: 0.0005260649557207145, Min: -0.07101876902229645}
	for i := 0; i < 256; i++ {
		want := float32(float64(i)*q.Scale + q.Min)
		if got := dequantize(float64(i), q); got != want {
			t.Fatalf("dequantize(%d) = %v, want %v", i, got, want)
		}
	}
}

// faceAPITarball is where scripts/facemodel/prepare.sh keeps the npm
// tarball; the test below uses it when present.
func faceAPITarball() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "dinhdanh", "facemodel", "vladmandic-face-api-1.7.15.tgz")
}

// TestRealWeights pins the stream made from face-api 1.7.15's weights, so
// that a change to tfjs2raw that would alter the converted model shows up
// without the C++ half.
func TestRealWeights(t *testing.T) {
	const wantSHA = "6c9c4286ba2a1d21d00e1c1ac8e7f415eb7e3fdbcd3ce7464edf7e0507d58022"
	tgz := faceAPITarball()
	f, err := os.Open(tgz)
	if err != nil {
		t.Skipf("*** SKIPPED: face-api tarball not cached (%v): run scripts/facemodel/prepare.sh ***", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h.Name {
		case "package/model/face_recognition_model.bin", "package/model/face_recognition_model-weights_manifest.json":
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.Base(h.Name)] = b
		}
	}
	var groups []WeightsGroup
	if err := json.Unmarshal(files["face_recognition_model-weights_manifest.json"], &groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || len(groups[0].Weights) != 117 {
		t.Fatalf("manifest: %d groups", len(groups))
	}
	quantized := 0
	for _, w := range groups[0].Weights {
		if w.Quantization != nil {
			quantized++
		}
	}
	if quantized != 109 {
		t.Errorf("%d quantized tensors, want 109", quantized)
	}
	out, err := Convert(groups[0].Weights, files["face_recognition_model.bin"])
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if err := binary.Write(h, binary.LittleEndian, out); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA {
		t.Errorf("stream sha256 %s, want %s", got, wantSHA)
	}
}

func FuzzDecode(f *testing.F) {
	ws, data := synthetic(nil)
	m, _ := json.Marshal([]WeightsGroup{{Paths: []string{"w.bin"}, Weights: ws[:3]}})
	n := 7*7*3*32 + 32 + 32
	f.Add(m, data[:n])
	f.Add([]byte(`[{"paths":["a"],"weights":[{"name":"x","shape":[2],"dtype":"float32"}]}]`), make([]byte, 8))
	f.Add([]byte(`[{"weights":[{"name":"q","shape":[3],"dtype":"float32","quantization":{"dtype":"uint16","scale":1,"min":0}}]}]`), make([]byte, 6))
	f.Add([]byte(`[{"weights":[{"name":"big","shape":[100000,100000],"dtype":"float32"}]}]`), []byte{})
	f.Add([]byte(`not json`), []byte{1})
	f.Fuzz(func(t *testing.T, manifest, data []byte) {
		groups, err := parseManifest(manifest)
		if err != nil {
			return
		}
		for _, g := range groups {
			if _, err := Convert(g.Weights, data); err == nil {
				t.Fatalf("Convert accepted a manifest of %d tensors without dlib's layers", len(g.Weights))
			}
		}
	})
}
