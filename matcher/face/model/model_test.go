package model

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeSpecs describes three small files so that Check's logic is tested
// without the 123 MB of real models.
func fakeSpecs(t *testing.T) ([]spec, map[string][]byte) {
	t.Helper()
	content := map[string][]byte{
		LandmarksFile:   []byte("landmarks model bytes"),
		RecognitionFile: []byte("recognition model bytes"),
		DetectorFile:    []byte("detector model bytes"),
	}
	var ss []spec
	for _, name := range []string{LandmarksFile, RecognitionFile, DetectorFile} {
		sum := sha256.Sum256(content[name])
		s := spec{name: name, known: []digest{{int64(len(content[name])), hex.EncodeToString(sum[:]), "test " + name}}}
		if name == LandmarksFile {
			s.header = specs[0].header
			s.minSize = 16
		}
		ss = append(ss, s)
	}
	return ss, content
}

func writeFiles(t *testing.T, dir string, content map[string][]byte) {
	t.Helper()
	for name, b := range content {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheck(t *testing.T) {
	ss, good := fakeSpecs(t)
	fivePoint := append([]byte{0x01, 0x01, 0x81, 0x0a, 0x81, 0x01}, make([]byte, 32)...)

	tests := []struct {
		name   string
		modify func(t *testing.T, dir string)
		bad    map[string]string // file -> substring of its reason; empty: Check passes
	}{
		{"all good", func(*testing.T, string) {}, nil},
		{"missing", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, RecognitionFile))
		}, map[string]string{RecognitionFile: "missing"}},
		{"empty", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, DetectorFile), nil, 0o644)
		}, map[string]string{DetectorFile: "empty"}},
		{"truncated", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, DetectorFile), good[DetectorFile][:5], 0o644)
		}, map[string]string{DetectorFile: "corrupt: size 5 bytes"}},
		{"same size, other bytes", func(t *testing.T, dir string) {
			b := []byte(strings.ToUpper(string(good[RecognitionFile])))
			os.WriteFile(filepath.Join(dir, RecognitionFile), b, 0o644)
		}, map[string]string{RecognitionFile: "corrupt: sha256"}},
		{"a directory", func(t *testing.T, dir string) {
			p := filepath.Join(dir, DetectorFile)
			os.Remove(p)
			os.Mkdir(p, 0o755)
		}, map[string]string{DetectorFile: "not a regular file"}},
		{"dangling symlink", func(t *testing.T, dir string) {
			p := filepath.Join(dir, LandmarksFile)
			os.Remove(p)
			os.Symlink(filepath.Join(dir, "nowhere.dat"), p)
		}, map[string]string{LandmarksFile: "missing (dangling symlink)"}},
		{"5-point landmarks dropped in", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, LandmarksFile), fivePoint, 0o644)
		}, nil},
		{"several bad", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, LandmarksFile))
			os.WriteFile(filepath.Join(dir, DetectorFile), []byte("x"), 0o644)
		}, map[string]string{LandmarksFile: "missing", DetectorFile: "corrupt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, good)
			tc.modify(t, dir)
			err := check(dir, ss, nil)
			if len(tc.bad) == 0 {
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				return
			}
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("check = %v, want *Error", err)
			}
			if len(me.Problems) != len(tc.bad) {
				t.Errorf("problems %+v, want %d", me.Problems, len(tc.bad))
			}
			msg := err.Error()
			for file, reason := range tc.bad {
				if !strings.Contains(msg, file+" is "+reason) {
					t.Errorf("error %q does not name %s", msg, file)
				}
				found := false
				for _, p := range me.Problems {
					if p.File == file && strings.Contains(p.Reason, reason) {
						found = true
					}
				}
				if !found {
					t.Errorf("no problem %q for %s in %+v", reason, file, me.Problems)
				}
			}
			if !strings.Contains(msg, "scripts/facemodel/prepare.sh "+dir) {
				t.Errorf("error %q does not say how to obtain the files", msg)
			}
		})
	}
}

func TestCheckRealSpecsNamesFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	// A recognition model of the right size but wrong bytes, and nothing else.
	if err := os.WriteFile(filepath.Join(dir, RecognitionFile), make([]byte, 22466154), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Check(dir)
	if err == nil {
		t.Fatal("Check passed an empty model folder")
	}
	want := []string{
		LandmarksFile + " is missing",
		RecognitionFile + " is corrupt: sha256",
		DetectorFile + " is missing",
		"run scripts/setup (or scripts/facemodel/prepare.sh " + dir + ") to obtain them",
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Check error\n\t%v\nlacks %q", err, w)
		}
	}

	err = Check(filepath.Join(dir, "absent"))
	if err == nil || !strings.Contains(err.Error(), "no such folder") {
		t.Errorf("Check(absent folder) = %v", err)
	}
}

func TestCheckCachesHashes(t *testing.T) {
	ss, good := fakeSpecs(t)
	dir := t.TempDir()
	writeFiles(t, dir, good)
	cachePath := filepath.Join(t.TempDir(), "sub", "modelcheck.json")

	hashes := 0
	orig := hashFile
	hashFile = func(p string) (string, error) { hashes++; return orig(p) }
	t.Cleanup(func() { hashFile = orig })

	run := func() {
		t.Helper()
		if err := check(dir, ss, &hashCache{path: cachePath}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if hashes != 3 {
		t.Fatalf("first check hashed %d files, want 3", hashes)
	}
	run()
	if hashes != 3 {
		t.Fatalf("second check hashed again (%d hashes): cache not used", hashes)
	}

	// A rewrite (new mtime) is hashed again and caught.
	p := filepath.Join(dir, DetectorFile)
	b := []byte(strings.ToUpper(string(good[DetectorFile])))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(p, later, later)
	err := check(dir, ss, &hashCache{path: cachePath})
	if err == nil || !strings.Contains(err.Error(), DetectorFile+" is corrupt") {
		t.Fatalf("check after rewrite = %v, want %s corrupt", err, DetectorFile)
	}
	if hashes != 4 {
		t.Errorf("after a rewrite %d hashes, want 4", hashes)
	}

	// A broken cache file costs a rehash, not a failure.
	if err := os.WriteFile(cachePath, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, good)
	if err := check(dir, ss, &hashCache{path: cachePath}); err != nil {
		t.Fatalf("check with a broken cache: %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvDir, "")
	t.Setenv("XDG_DATA_HOME", "/data")
	if d, err := DefaultDir(); err != nil || d != "/data/dinhdanh/models" {
		t.Errorf("DefaultDir with XDG_DATA_HOME = %q, %v", d, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/officer")
	if d, err := DefaultDir(); err != nil || d != "/home/officer/.local/share/dinhdanh/models" {
		t.Errorf("DefaultDir with HOME = %q, %v", d, err)
	}
	t.Setenv(EnvDir, "/opt/models")
	if d, err := DefaultDir(); err != nil || d != "/opt/models" {
		t.Errorf("DefaultDir with %s = %q, %v", EnvDir, d, err)
	}
}

// BenchmarkCheck measures Check on the prepared model folder, with the hash
// cache (what start-up pays) and without (the first start, or after an
// update): go test -run=^$ -bench=Check ./matcher/face/model
func BenchmarkCheck(b *testing.B) {
	dir, err := DefaultDir()
	if err != nil {
		b.Skip(err)
	}
	if err := Check(dir); err != nil {
		b.Skipf("model folder not prepared: %v", err)
	}
	b.Run("cached", func(b *testing.B) {
		c := &hashCache{path: filepath.Join(b.TempDir(), "c.json")}
		if err := check(dir, specs, c); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := check(dir, specs, &hashCache{path: c.path}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := check(dir, specs, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
