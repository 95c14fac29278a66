// Package shared finds the project's shared data and model folder for tests,
// benchmarks and evaluation commands.
//
// The folder is $DINHDANH_SHARED when set, otherwise "shared" next to the
// repository root (../shared seen from a clone). Data and model files are
// never copied into the repository: everything that needs them goes through
// this package, so there is one place that knows where they live.
package shared

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvVar names the environment variable that overrides the search.
const EnvVar = "DINHDANH_SHARED"

// ErrNotFound is returned by Dir when no shared folder can be found.
var ErrNotFound = errors.New("shared data folder not found: set " + EnvVar + " or place it at ../shared beside the repository")

// Dir returns the absolute path of the shared folder.
func Dir() (string, error) {
	if d := os.Getenv(EnvVar); d != "" {
		if isDir(d) {
			return filepath.Abs(d)
		}
		return "", fmt.Errorf("%s=%q is not a directory: %w", EnvVar, d, ErrNotFound)
	}
	for _, start := range startDirs() {
		for d := start; ; d = filepath.Dir(d) {
			if isFile(filepath.Join(d, "go.mod")) {
				cand := filepath.Join(filepath.Dir(d), "shared")
				if isDir(cand) {
					return cand, nil
				}
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", ErrNotFound
}

// Path joins elem onto the shared folder and checks that the result exists.
func Path(elem ...string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shared file: %w", err)
	}
	return p, nil
}

// Require returns the path of elem under the shared folder, or skips the
// test loudly when the shared folder itself is absent. A shared folder that
// exists but lacks the file fails the test: that is a broken checkout, not
// a machine without data.
func Require(tb testing.TB, elem ...string) string {
	tb.Helper()
	d, err := Dir()
	if err != nil {
		tb.Skipf("\n*** SKIPPED: %v ***\n*** this test needs the shared data folder; nothing was checked ***", err)
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared folder %s is present but lacks %s: %v", d, filepath.Join(elem...), err)
	}
	return p
}

// startDirs lists where to begin walking up towards the repository root:
// the working directory, and this source file's own folder (so that test
// binaries run from a temp dir still find it).
func startDirs() []string {
	var dirs []string
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		dirs = append(dirs, filepath.Dir(file))
	}
	return dirs
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
