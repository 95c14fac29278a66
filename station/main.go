// Command station is the dinhdanh verification station: the desktop app
// officers use to register level-2 electronic identity applications, and
// the command-line tools technicians, supervisors and the nightly job use.
//
// Usage:
//
//	station [command] [flags]
//
// With no command it starts the desktop app ("station gui"). Run
// "station help" for the list of commands and "station COMMAND -h" for the
// flags of one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// version is set at link time by the Makefile (-ldflags "-X main.version=...").
var version = "dev"

// command is one subcommand of the station binary. Each area of the product
// adds its own in a cmd_<area>.go file of this package through register, so
// that areas never edit one shared list.
type command struct {
	// Name is the word typed after "station", e.g. "card".
	Name string
	// Summary is one line shown by "station help".
	Summary string
	// Run executes the command with the arguments after its name. It
	// writes results to stdout and diagnostics to stderr. A returned
	// *exitError sets the process exit code.
	Run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.Name]; dup {
		panic("station: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// exitError carries a specific process exit code out of a command.
type exitError struct {
	Code int
	Err  error
}

func (e *exitError) Error() string { return e.Err.Error() }
func (e *exitError) Unwrap() error { return e.Err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "gui"
	if len(args) > 0 {
		switch a := args[0]; a {
		case "--version", "-version", "version":
			fmt.Fprintf(stdout, "dinhdanh station %s\n", version)
			return 0
		case "help", "-h", "-help", "--help":
			usage(stdout)
			return 0
		default:
			if len(a) > 0 && a[0] != '-' {
				name, args = a, args[1:]
			}
		}
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "station: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	err := c.Run(ctx, args, stdout, stderr)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "station %s: %v\n", name, err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "dinhdanh station %s — level-2 e-identity verification station\n\n", version)
	fmt.Fprintln(w, "Usage: station [command] [flags]   (no command starts the desktop app)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\nRun \"station COMMAND -h\" for the flags of one command, including the")
	fmt.Fprintln(w, "configuration settings every command shares.")
}
