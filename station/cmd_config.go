package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dinhdanh/dinhdanh/station/config"
)

func init() {
	register(command{Name: "config", Summary: "print the effective settings as a settings file (defaults, file, env and flags applied)", Run: runConfig})
}

func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseConfig("config", args, stderr, nil)
	if err != nil {
		return err
	}
	return cfg.Write(stdout)
}

// parseConfig parses args with every configuration setting as a flag, plus
// whatever flags extra adds, and resolves the configuration. It returns the
// flag set so callers can read positional arguments.
func parseConfig(name string, args []string, stderr io.Writer, extra func(fs *flag.FlagSet)) (*config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("station "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config.Default()
	cfg.BindFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if err := cfg.Resolve(fs); err != nil {
		return nil, nil, &exitError{Code: 2, Err: err}
	}
	return cfg, fs, nil
}

// parseAction is parseConfig for commands of the form "station NAME
// [flags] ACTION", where the action word may also come before the flags.
// usage is printed above the flag list; a missing or unknown action prints
// it and returns exit code 2.
func parseAction(name string, args []string, stderr io.Writer, usage string, actions []string, extra func(fs *flag.FlagSet)) (*config.Config, string, error) {
	var action string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		action, args = args[0], args[1:]
	}
	var fs *flag.FlagSet
	cfg, fs, err := parseConfig(name, args, stderr, func(f *flag.FlagSet) {
		if extra != nil {
			extra(f)
		}
		f.Usage = func() {
			fmt.Fprintf(stderr, "Usage: station %s [flags] %s\n\n%s\nFlags:\n", name, strings.Join(actions, "|"), usage)
			f.PrintDefaults()
		}
	})
	if err != nil {
		var ee *exitError
		if errors.Is(err, flag.ErrHelp) || errors.As(err, &ee) {
			return nil, "", err
		}
		return nil, "", &exitError{Code: 2, Err: err}
	}
	switch {
	case action == "" && fs.NArg() == 1:
		action = fs.Arg(0)
	case fs.NArg() != 0:
		action = ""
	}
	if !slices.Contains(actions, action) {
		fs.Usage()
		return nil, "", &exitError{Code: 2, Err: fmt.Errorf("want one of %s", strings.Join(actions, ", "))}
	}
	return cfg, action, nil
}
