package shared

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirFindsDocs(t *testing.T) {
	p := Require(t, "docs", "standards.md")
	if filepath.Base(p) != "standards.md" {
		t.Fatalf("Require returned %q", p)
	}
}

func TestEnvOverride(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv(EnvVar, tmp)
	d, err := Dir()
	if err != nil || d != tmp {
		t.Fatalf("Dir() = %q, %v; want %q", d, err, tmp)
	}
	t.Setenv(EnvVar, filepath.Join(tmp, "missing"))
	if _, err := Dir(); err == nil {
		t.Fatal("Dir() with a missing override succeeded")
	}
	_ = os.Remove(tmp)
}
