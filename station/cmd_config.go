package main

import (
	"context"
	"flag"
	"io"

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
