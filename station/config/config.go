// Package config holds the station's settings and where they come from.
//
// Each setting has a documented default, and may be overridden, in rising
// order of precedence, by the configuration file, by an environment variable
// DINHDANH_<NAME> and by a command-line flag -<name>. With no file, no
// environment and no flags the station runs on its embedded defaults: data
// in the user's data directory, simulated devices when none are attached.
//
// The file is plain "name = value" lines; '#' starts a comment. Names are
// the ones "station COMMAND -h" prints.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Config is the station's configuration. Field tags give each setting's
// name (conf) and one-line help (help); Default supplies the values.
type Config struct {
	// ConfigFile is the settings file read by Resolve. Empty means the
	// default location, used only when it exists.
	ConfigFile string `conf:"config" help:"settings file (name = value lines); default $XDG_CONFIG_HOME/dinhdanh/station.conf if it exists"`

	DataDir  string `conf:"data-dir" help:"folder for the database, keys and models"`
	DBPath   string `conf:"db" help:"SQLite database file (default DATA-DIR/station.db)"`
	ModelDir string `conf:"model-dir" help:"folder with the three go-face model files (default DATA-DIR/models)"`
	KeyFile  string `conf:"key-file" help:"station key file, created at first run with mode 0600 (default DATA-DIR/station.key)"`
	CSCA     string `conf:"csca" help:"CSCA certificate file(s) or folder(s) anchoring passive authentication of real cards, separated by the OS path list separator (default DATA-DIR/csca if it exists)"`

	StationID string `conf:"station-id" help:"this desk's identifier, sent with every batch"`
	Office    string `conf:"office" help:"name of the police office this station serves"`
	Language  string `conf:"lang" help:"user interface language: vi or en"`

	Devices string `conf:"devices" help:"device mode: auto (real when attached, else simulated), sim, or real"`
	Demo    bool   `conf:"demo" help:"fill an empty citizen cache with synthetic demo citizens"`

	UpstreamURL string        `conf:"upstream" help:"base URL of the upstream service (https://...)"`
	SyncTimeout time.Duration `conf:"sync-timeout" help:"longest a whole sync run may take"`

	PendingLimit int           `conf:"pending-limit" help:"refuse new applications while this many await a supervisor"`
	IdleLogout   time.Duration `conf:"idle-logout" help:"log a user out after this long without input"`

	LogLevel string `conf:"log-level" help:"debug, info, warn or error"`
	LogFile  string `conf:"log-file" help:"write logs here instead of standard error"`

	// flags holds the values flags were parsed into, between BindFlags
	// and Resolve.
	flags *Config
}

// Default returns the embedded defaults, with paths under the user's data
// directory.
func Default() *Config {
	return &Config{
		DataDir:      DefaultDataDir(),
		StationID:    "DEMO-0001",
		Office:       "Công an phường (demo)",
		Language:     "vi",
		Devices:      "auto",
		SyncTimeout:  2 * time.Hour,
		PendingLimit: 200,
		IdleLogout:   5 * time.Minute,
		LogLevel:     "info",
	}
}

// DefaultDataDir is $XDG_DATA_HOME/dinhdanh, else ~/.local/share/dinhdanh,
// else ./dinhdanh-data when there is no home directory.
func DefaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "dinhdanh")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "dinhdanh")
	}
	return "dinhdanh-data"
}

// DefaultConfigFile is $XDG_CONFIG_HOME/dinhdanh/station.conf, or
// ~/.config/dinhdanh/station.conf.
func DefaultConfigFile() string {
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "dinhdanh", "station.conf")
}

// EnvName returns the environment variable that sets the named setting,
// e.g. "data-dir" → "DINHDANH_DATA_DIR".
func EnvName(name string) string {
	return "DINHDANH_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

type field struct {
	name, help string
	v          reflect.Value
}

func (c *Config) fields() []field {
	rv := reflect.ValueOf(c).Elem()
	rt := rv.Type()
	out := make([]field, 0, rt.NumField())
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if name := f.Tag.Get("conf"); name != "" {
			out = append(out, field{name: name, help: f.Tag.Get("help"), v: rv.Field(i)})
		}
	}
	return out
}

// flagValue adapts one Config field to flag.Value.
type flagValue struct{ v reflect.Value }

func (f flagValue) String() string {
	if !f.v.IsValid() {
		return ""
	}
	return formatValue(f.v)
}
func (f flagValue) Set(s string) error { return setValue(f.v, s) }
func (f flagValue) IsBoolFlag() bool   { return f.v.IsValid() && f.v.Kind() == reflect.Bool }

// BindFlags registers every setting as a flag on fs, with the current
// values shown as defaults. Call Resolve after fs.Parse.
func (c *Config) BindFlags(fs *flag.FlagSet) {
	// Flags write into a scratch copy: Resolve applies them last, after the
	// file and the environment, whatever order things were parsed in.
	scratch := *c
	for _, f := range scratch.fields() {
		help := f.help + " (env " + EnvName(f.name) + ")"
		fs.Var(flagValue{f.v}, f.name, help)
	}
	c.flags = &scratch
}

// Resolve applies, over the values already in c, the settings file, then
// the environment, then the flags set on fs (which may be nil), and fills
// the paths that default to places under DataDir. It reports every problem
// it finds at once.
func (c *Config) Resolve(fs *flag.FlagSet) error {
	set := map[string]bool{}
	if fs != nil {
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	}
	flagged := c.flags
	c.flags = nil
	byName := map[string]field{}
	for _, f := range c.fields() {
		byName[f.name] = f
	}
	var errs []error

	file := c.ConfigFile
	if v := os.Getenv(EnvName("config")); v != "" {
		file = v
	}
	if set["config"] && flagged != nil {
		file = flagged.ConfigFile
	}
	explicit := file != ""
	if file == "" {
		file = DefaultConfigFile()
	}
	if file != "" {
		if err := c.readFile(file, byName); err != nil {
			if explicit || !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		} else {
			c.ConfigFile = file
		}
	}
	for _, f := range c.fields() {
		if v, ok := os.LookupEnv(EnvName(f.name)); ok && f.name != "config" {
			if err := setValue(f.v, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvName(f.name), err))
			}
		}
	}
	if flagged != nil {
		src := map[string]field{}
		for _, f := range flagged.fields() {
			src[f.name] = f
		}
		for name := range set {
			if dst, ok := byName[name]; ok {
				dst.v.Set(src[name].v)
			}
		}
	}
	c.fillPaths()
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (c *Config) fillPaths() {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.DBPath == "" {
		c.DBPath = filepath.Join(c.DataDir, "station.db")
	}
	if c.ModelDir == "" {
		if v := os.Getenv("DINHDANH_MODEL_DIR"); v != "" {
			c.ModelDir = v
		} else {
			c.ModelDir = filepath.Join(c.DataDir, "models")
		}
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(c.DataDir, "station.key")
	}
}

// CSCAPaths returns the files and folders of country signing (CSCA)
// certificates to trust: the csca setting split at the OS path list
// separator, else DATA-DIR/csca when that folder exists, else none.
func (c *Config) CSCAPaths() []string {
	if c.CSCA != "" {
		var out []string
		for _, p := range filepath.SplitList(c.CSCA) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	d := filepath.Join(c.DataDir, "csca")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return []string{d}
	}
	return nil
}

// Validate checks values that have a fixed set of choices or a range.
func (c *Config) Validate() error {
	var errs []error
	oneOf := func(name, v string, choices ...string) {
		for _, ch := range choices {
			if v == ch {
				return
			}
		}
		errs = append(errs, fmt.Errorf("%s = %q: want one of %s", name, v, strings.Join(choices, ", ")))
	}
	oneOf("lang", c.Language, "vi", "en")
	oneOf("devices", c.Devices, "auto", "sim", "real")
	oneOf("log-level", c.LogLevel, "debug", "info", "warn", "error")
	if c.PendingLimit < 1 {
		errs = append(errs, fmt.Errorf("pending-limit = %d: must be at least 1", c.PendingLimit))
	}
	if c.UpstreamURL != "" && !strings.HasPrefix(c.UpstreamURL, "https://") && !strings.HasPrefix(c.UpstreamURL, "http://127.") && !strings.HasPrefix(c.UpstreamURL, "http://localhost") {
		errs = append(errs, fmt.Errorf("upstream = %q: must be https:// (plain http only on loopback, for tests)", c.UpstreamURL))
	}
	return errors.Join(errs...)
}

func (c *Config) readFile(path string, byName map[string]field) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read settings file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var errs []error
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		name, val = strings.TrimSpace(name), strings.Trim(strings.TrimSpace(val), `"`)
		fl, known := byName[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s:%d: want name = value", path, n))
		case !known || name == "config":
			errs = append(errs, fmt.Errorf("%s:%d: unknown setting %q", path, n, name))
		default:
			if err := setValue(fl.v, val); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %s: %w", path, n, name, err))
			}
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("read %s: %w", path, err))
	}
	return errors.Join(errs...)
}

// Write prints every setting as a settings file, with its help as a
// comment: the documented defaults, or a starting point for an office's file.
func (c *Config) Write(w io.Writer) error {
	for _, f := range c.fields() {
		if f.name == "config" {
			continue
		}
		if _, err := fmt.Fprintf(w, "# %s\n%s = %s\n\n", f.help, f.name, formatValue(f.v)); err != nil {
			return err
		}
	}
	return nil
}

func setValue(v reflect.Value, s string) error {
	switch v.Interface().(type) {
	case string:
		v.SetString(s)
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	case int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(int64(n))
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration like 90s or 5m", s)
		}
		v.SetInt(int64(d))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

func formatValue(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case time.Duration:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
