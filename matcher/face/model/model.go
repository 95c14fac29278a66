// Package model knows where go-face's three dlib model files live and
// checks them before anything hands the folder to go-face.
//
// go-face's NewRecognizer aborts the process inside dlib (or returns an
// unhelpful serialization error) when a file is missing or truncated, so
// callers run Check first:
//
//	dir, err := model.DefaultDir()
//	...
//	if err := model.Check(dir); err != nil {
//		return err // names the bad file and how to obtain it
//	}
//	rec, err := face.NewRecognizer(dir)
//
// The files are made by scripts/facemodel/prepare.sh (called by
// scripts/setup). This package is pure Go: no cgo.
package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The file names go-face's NewRecognizer loads from its model folder.
const (
	// LandmarksFile is the landmark (shape predictor) model. Ours is
	// Debian's 68-point model saved under go-face's 5-point name; dlib's
	// 5-point model may be dropped in instead.
	LandmarksFile = "shape_predictor_5_face_landmarks.dat"
	// RecognitionFile is dlib's ResNet that turns a face into a 128-value
	// descriptor.
	RecognitionFile = "dlib_face_recognition_resnet_model_v1.dat"
	// DetectorFile is dlib's CNN (MMOD) face detector.
	DetectorFile = "mmod_human_face_detector.dat"
)

// EnvDir names the environment variable that overrides DefaultDir.
const EnvDir = "DINHDANH_MODEL_DIR"

// DefaultDir returns the model folder: $DINHDANH_MODEL_DIR when set, else
// $XDG_DATA_HOME/dinhdanh/models, else ~/.local/share/dinhdanh/models.
// scripts/facemodel/prepare.sh uses the same rule.
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "dinhdanh", "models"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("face model folder: %w (set %s)", err, EnvDir)
	}
	return filepath.Join(home, ".local", "share", "dinhdanh", "models"), nil
}

// digest identifies one accepted version of a file.
type digest struct {
	size   int64
	sha256 string
	what   string
}

// spec says what a model file must be: one of the known digests, or, when
// header is set, any file starting with those bytes.
type spec struct {
	name    string
	known   []digest
	header  []byte
	minSize int64
}

// specs lists the three files. The recognition model's digest is that of
// scripts/facemodel's conversion with Debian 12's dlib 19.24.
var specs = []spec{
	{
		name: LandmarksFile,
		known: []digest{{99693937, "fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f",
			"Debian libdlib-data shape_predictor_68_face_landmarks.dat"}},
		// dlib's 5-point model (not available to pin by hash here):
		// serialization version 1, then the 10×1 initial shape.
		header:  []byte{0x01, 0x01, 0x81, 0x0a, 0x81, 0x01},
		minSize: 1 << 20,
	},
	{
		name: RecognitionFile,
		known: []digest{{22466154, "cdb1d47b961fe310ef1f3aa2974c5f65d29c079346760f6b6785c7e405f7266a",
			"converted from @vladmandic/face-api@1.7.15 with dlib 19.24"}},
	},
	{
		name: DetectorFile,
		known: []digest{{729940, "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6",
			"dlib's mmod_human_face_detector.dat"}},
	},
}

// Problem is one missing or corrupt model file.
type Problem struct {
	File   string // base name, e.g. RecognitionFile
	Reason string // e.g. "missing", "corrupt: size 12 bytes, want 729940"
}

// Error reports every model file in Dir that is missing or corrupt.
type Error struct {
	Dir      string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "face models in %s: ", e.Dir)
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s is %s", p.File, p.Reason)
	}
	them := "it"
	if len(e.Problems) > 1 {
		them = "them"
	}
	fmt.Fprintf(&b, ": run scripts/setup (or scripts/facemodel/prepare.sh %s) to obtain %s", e.Dir, them)
	return b.String()
}

// Check verifies that dir holds the three model files, each non-empty and
// with the expected size and sha256 (for the landmark model, alternatively
// the header of a dlib 5-point shape predictor). On failure it returns one
// *Error naming every bad file and how to obtain it.
//
// Hashing the 123 MB costs about 0.3 s, so a file whose sha256 matched is
// remembered by path, size and modification time in the user's cache
// folder ($XDG_CACHE_HOME/dinhdanh/modelcheck.json) and not hashed again
// until one of those changes. A same-size rewrite that keeps the mtime
// would go unnoticed; prepare.sh never does that.
func Check(dir string) error {
	return check(dir, specs, defaultCache())
}

func check(dir string, specs []spec, cache *hashCache) error {
	e := &Error{Dir: dir}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		for _, s := range specs {
			e.Problems = append(e.Problems, Problem{s.name, "missing (no such folder)"})
		}
		return e
	}
	for _, s := range specs {
		if reason := checkFile(filepath.Join(dir, s.name), s, cache); reason != "" {
			e.Problems = append(e.Problems, Problem{s.name, reason})
		}
	}
	if cache != nil {
		cache.save()
	}
	if len(e.Problems) > 0 {
		return e
	}
	return nil
}

// checkFile returns "" when the file is good, else why it is not.
func checkFile(path string, s spec, cache *hashCache) string {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return "missing (dangling symlink)"
		}
		return "missing"
	case err != nil:
		return "unreadable: " + err.Error()
	case !st.Mode().IsRegular():
		return "not a regular file"
	case st.Size() == 0:
		return "empty"
	}
	for _, d := range s.known {
		if st.Size() != d.size {
			continue
		}
		if cache != nil && cache.verified(path, st, d.sha256) {
			return ""
		}
		sum, err := hashFile(path)
		if err != nil {
			return "unreadable: " + err.Error()
		}
		if sum == d.sha256 {
			if cache != nil {
				cache.remember(path, st, sum)
			}
			return ""
		}
		return fmt.Sprintf("corrupt: sha256 %s, want %s (%s)", sum, d.sha256, d.what)
	}
	if s.header != nil && st.Size() >= s.minSize {
		ok, err := hasHeader(path, s.header)
		if err != nil {
			return "unreadable: " + err.Error()
		}
		if ok {
			return ""
		}
	}
	want := make([]string, len(s.known))
	for i, d := range s.known {
		want[i] = fmt.Sprint(d.size)
	}
	return fmt.Sprintf("corrupt: size %d bytes, want %s", st.Size(), strings.Join(want, " or "))
}

// hashFile is a variable so that tests can count the hashing.
var hashFile = func(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hasHeader(path string, header []byte) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	b := make([]byte, len(header))
	if _, err := io.ReadFull(f, b); err != nil {
		return false, nil
	}
	return bytes.Equal(b, header), nil
}

// hashCache remembers files whose sha256 was checked, keyed by their
// resolved path, size and modification time.
type hashCache struct {
	path    string
	mu      sync.Mutex
	loaded  bool
	dirty   bool
	entries map[string]cacheEntry
}

type cacheEntry struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

// defaultCache returns the cache in the user's cache folder, or nil (no
// caching) when there is none.
func defaultCache() *hashCache {
	d, err := os.UserCacheDir()
	if err != nil {
		return nil
	}
	return &hashCache{path: filepath.Join(d, "dinhdanh", "modelcheck.json")}
}

func (c *hashCache) load() {
	if c.loaded {
		return
	}
	c.loaded = true
	c.entries = map[string]cacheEntry{}
	b, err := os.ReadFile(c.path)
	if err != nil {
		return
	}
	if json.Unmarshal(b, &c.entries) != nil {
		c.entries = map[string]cacheEntry{} // a broken cache only costs a rehash
	}
}

func cacheKey(path string) string {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	if p, err := filepath.Abs(path); err == nil {
		path = p
	}
	return path
}

func (c *hashCache) verified(path string, st fs.FileInfo, sum string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	e, ok := c.entries[cacheKey(path)]
	return ok && e.Size == st.Size() && e.ModTime == st.ModTime().UnixNano() && e.SHA256 == sum
}

func (c *hashCache) remember(path string, st fs.FileInfo, sum string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	c.entries[cacheKey(path)] = cacheEntry{st.Size(), st.ModTime().UnixNano(), sum}
	c.dirty = true
}

// save writes the cache if it changed. Failing to write it is harmless (the
// next Check hashes again), so errors are dropped.
func (c *hashCache) save() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return
	}
	if os.MkdirAll(filepath.Dir(c.path), 0o755) != nil {
		return
	}
	b, err := json.MarshalIndent(c.entries, "", "  ")
	if err != nil {
		return
	}
	tmp := fmt.Sprintf("%s.%d.%d.tmp", c.path, os.Getpid(), time.Now().UnixNano())
	if os.WriteFile(tmp, b, 0o644) != nil {
		os.Remove(tmp)
		return
	}
	if os.Rename(tmp, c.path) != nil {
		os.Remove(tmp)
		return
	}
	c.dirty = false
}
