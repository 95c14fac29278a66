package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/diag"
)

func TestDiagDemoWritesReports(t *testing.T) {
	dir := t.TempDir()
	js, html := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"diag", "-demo", "-frames", "5", "-report", js, "-html", html}, &out, &errb)
	// Card readers are real hardware when pcscd runs here: only the
	// simulated camera and scanner are certain to pass.
	if code != 0 && code != 3 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	f, err := os.Open(js)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := diag.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Demo || rep.Summary.Passed < 4 {
		t.Fatalf("report summary %+v", rep.Summary)
	}
	for _, r := range rep.Results {
		if r.Kind != "card-reader" && r.Status != diag.Pass {
			t.Errorf("%s %s: %s %s", r.Label, r.Test, r.Status, r.Message)
		}
	}
	h, _ := os.ReadFile(html)
	if !strings.Contains(string(h), "[SIMULATED]") || !strings.Contains(out.String(), "[SIMULATED]") {
		t.Fatal("simulated marker missing")
	}
}
