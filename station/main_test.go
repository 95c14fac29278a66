package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runStation(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runStation(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "dinhdanh station ") {
		t.Errorf("--version: code %d, %q", code, out)
	}
	code, out, _ = runStation(t, "--help")
	if code != 0 || !strings.Contains(out, "Commands:") || !strings.Contains(out, "config") {
		t.Errorf("--help: code %d, %q", code, out)
	}
	code, _, errOut := runStation(t, "no-such-command")
	if code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: code %d, %q", code, errOut)
	}
}

func TestConfigCommand(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	code, out, errOut := runStation(t, "config", "-data-dir", dir, "-lang", "en")
	if code != 0 {
		t.Fatalf("config: code %d: %s", code, errOut)
	}
	for _, want := range []string{"lang = en", "db = " + filepath.Join(dir, "station.db"), "# station key file"} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	code, _, errOut = runStation(t, "config", "-lang", "fr")
	if code != 2 || !strings.Contains(errOut, `lang = "fr"`) {
		t.Errorf("bad lang: code %d, %q", code, errOut)
	}
	code, _, errOut = runStation(t, "config", "-h")
	if code != 0 || !strings.Contains(errOut, "-data-dir") || !strings.Contains(errOut, "DINHDANH_DATA_DIR") {
		t.Errorf("config -h: code %d, %q", code, errOut)
	}
}

// TestBinary builds the real binary and checks the two flags a technician
// tries first, so the link step (all cgo libraries) is covered too.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole binary")
	}
	bin := filepath.Join(t.TempDir(), "station")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=test-1", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "dinhdanh station test-1" {
		t.Errorf("--version: %q, %v", out, err)
	}
	out, err = exec.Command(bin, "--help").Output()
	if err != nil || !strings.Contains(string(out), "Commands:") {
		t.Errorf("--help: %q, %v", out, err)
	}
}

// TestEveryCommandHelp asks every registered command for its flags. Commands
// add their own flags next to the shared configuration settings; a name used
// twice panics at run time, and this is where it shows first.
func TestEveryCommandHelp(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	for name := range commands {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("station %s -h panicked: %v", name, p)
				}
			}()
			runStation(t, name, "-h")
		})
	}
}
