package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCardReadSim(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"card", "read", "--reader", "sim", "--portrait", filepath.Join(dir, "face")}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var res struct {
		MRZ struct {
			IDNumber string `json:"id_number"`
		} `json:"mrz"`
		Portrait struct {
			SavedTo string `json:"saved_to"`
		} `json:"portrait"`
		Verdict string `json:"verdict"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err, out.String())
	}
	if res.MRZ.IDNumber != "001******345" || strings.Contains(out.String(), "001095012345") {
		t.Fatalf("ID not masked: %s", res.MRZ.IDNumber)
	}
	if !strings.HasPrefix(res.Verdict, "passive authentication passed") {
		t.Fatal(res.Verdict)
	}
	if _, err := os.Stat(res.Portrait.SavedTo); err != nil {
		t.Fatal(err)
	}
}

func TestCardReadWrongMRZ(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"card", "read", "--reader", "sim", "--doc", "095012345", "--dob", "950316", "--exp", "350315", "--portrait", ""}, &out, &errb)
	if code != 3 || !strings.Contains(errb.String(), "BAC failed: check document number (last 9 digits of the ID number), date of birth, expiry") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}
