package diag

import (
	"bytes"
	"testing"
)

// FuzzReadJSON: reports come back from offices by mail; reading one must
// answer with a report or an error, never panic.
func FuzzReadJSON(f *testing.F) {
	rep := &Report{Format: ReportFormat, Station: "s", Results: []Result{{Test: "t", Status: Pass,
		Metrics: map[string]float64{"fps": 30}, Images: []Image{{Name: "x", PNG: []byte{0x89, 'P', 'N', 'G'}}}}}}
	var b bytes.Buffer
	rep.WriteJSON(&b)
	f.Add(b.Bytes())
	f.Add([]byte(`{"format":"dinhdanh-diag/1","results":[{"images":[{"png":"!!"}]}]}`))
	f.Add([]byte(`{"format":"other"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := r.WriteHTML(&out); err != nil {
			t.Fatalf("a report that parses must render: %v", err)
		}
		r.WriteText(&out)
	})
}
