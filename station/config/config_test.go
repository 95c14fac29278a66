package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DINHDANH_") {
			k, _, _ := strings.Cut(kv, "=")
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
}

func TestPrecedence(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "station.conf")
	os.WriteFile(file, []byte("# office file\nstation-id = FILE-1\nlang = en\npending-limit = 50\nidle-logout = 2m\ndevices = sim # comment\n"), 0o600)
	t.Setenv("DINHDANH_LANG", "vi")
	t.Setenv("DINHDANH_PENDING_LIMIT", "70")

	c := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.BindFlags(fs)
	if err := fs.Parse([]string{"-config", file, "-pending-limit", "90", "-data-dir", dir, "-demo"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Resolve(fs); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"station-id from file", c.StationID, "FILE-1"},
		{"lang: env over file", c.Language, "vi"},
		{"pending-limit: flag over env", c.PendingLimit, 90},
		{"idle-logout from file", c.IdleLogout, 2 * time.Minute},
		{"devices from file", c.Devices, "sim"},
		{"demo flag", c.Demo, true},
		{"db under data dir", c.DBPath, filepath.Join(dir, "station.db")},
		{"key under data dir", c.KeyFile, filepath.Join(dir, "station.key")},
		{"config file recorded", c.ConfigFile, file},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	clearEnv(t)
	t.Setenv("XDG_DATA_HOME", "/xdg")
	c := Default()
	if err := c.Resolve(nil); err != nil {
		t.Fatal(err)
	}
	if c.DBPath != "/xdg/dinhdanh/station.db" || c.ModelDir != "/xdg/dinhdanh/models" {
		t.Errorf("paths: db %s, models %s", c.DBPath, c.ModelDir)
	}
}

func TestErrorsReported(t *testing.T) {
	clearEnv(t)
	file := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(file, []byte("lang = fr\nnosuch = 1\npending-limit = many\njust words\n"), 0o600)
	t.Setenv("DINHDANH_IDLE_LOGOUT", "soon")
	c := Default()
	c.ConfigFile = file
	err := c.Resolve(nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`unknown setting "nosuch"`, "not a whole number", "want name = value", "DINHDANH_IDLE_LOGOUT", `lang = "fr"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	c = Default()
	c.ConfigFile = filepath.Join(t.TempDir(), "missing.conf")
	if err := c.Resolve(nil); err == nil {
		t.Error("an explicitly named missing file was not reported")
	}
}

func TestWriteRoundTrip(t *testing.T) {
	clearEnv(t)
	c := Default()
	c.Resolve(nil)
	file := filepath.Join(t.TempDir(), "out.conf")
	f, _ := os.Create(file)
	if err := c.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	d := &Config{ConfigFile: file}
	if err := d.Resolve(nil); err != nil {
		t.Fatal(err)
	}
	d.ConfigFile, c.ConfigFile = "", ""
	if *d != *c {
		t.Errorf("round trip:\n%+v\n%+v", d, c)
	}
	c.Write(io.Discard)
}

func TestCSCAPaths(t *testing.T) {
	c := Default()
	c.DataDir = t.TempDir()
	if p := c.CSCAPaths(); p != nil {
		t.Errorf("no csca folder: %q", p)
	}
	d := filepath.Join(c.DataDir, "csca")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if p := c.CSCAPaths(); len(p) != 1 || p[0] != d {
		t.Errorf("default: %q, want [%s]", p, d)
	}
	c.CSCA = "/etc/a.der" + string(filepath.ListSeparator) + " /etc/csca " + string(filepath.ListSeparator)
	if p := c.CSCAPaths(); len(p) != 2 || p[0] != "/etc/a.der" || p[1] != "/etc/csca" {
		t.Errorf("setting: %q", p)
	}
}
