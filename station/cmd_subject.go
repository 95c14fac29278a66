package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/consent"
	"github.com/dinhdanh/dinhdanh/station/subject"
)

func init() {
	register(command{Name: "subject", Summary: "data-subject requests: export or erase one citizen's data", Run: runSubject})
}

// subjectService wires the providers of this build. Without the station's
// key file there is no application store or cache (nothing sealed can
// exist) and the export says what it did not cover.
func subjectService(st *station, a access.Actor) *subject.Service {
	svc := &subject.Service{
		Log:       st.Log,
		Providers: []subject.Provider{subject.ConsentProvider{Store: consent.NewStore(st.Log)}},
	}
	if st.Apps != nil {
		svc.Finder = st.Apps
		svc.Providers = append(svc.Providers,
			subject.ApplicationProvider{Repo: st.Apps, Actor: application.Actor{Name: a.Name, Role: string(a.Role)}},
			subject.CacheProvider{Cache: st.Cache})
	}
	svc.Providers = append(svc.Providers, subject.AuditProvider{Log: st.Log})
	return svc
}

// readID takes the ID number from --id, or from stdin with "--id -" so that
// it stays out of the shell history and the process list.
func readID(flagVal string, stdin io.Reader) (string, error) {
	if flagVal == "-" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return strings.TrimSpace(line), nil
	}
	if flagVal == "" {
		return "", errors.New("--id is required (use --id - to read it from stdin)")
	}
	return flagVal, nil
}

// subjectStdin is where "--id -" reads; a variable for tests.
var subjectStdin io.Reader = os.Stdin

func runSubject(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, `usage: station subject export --id ID|- --out DIR [--db PATH] --user NAME
       station subject erase  --id ID|- --yes   [--db PATH] --user NAME`)
	}
	if len(args) == 0 {
		usage()
		return &exitError{Code: 2, Err: errors.New("missing subcommand")}
	}
	sub := args[0]
	if sub != "export" && sub != "erase" {
		usage()
		if sub == "-h" || sub == "--help" || sub == "help" {
			return nil
		}
		return &exitError{Code: 2, Err: fmt.Errorf("unknown subcommand %q", sub)}
	}
	var idFlag, out *string
	var yes *bool
	var op *operator
	cfg, _, err := parseConfig("subject "+sub, args[1:], stderr, func(fs *flag.FlagSet) {
		idFlag = fs.String("id", "", "the citizen's 12-digit ID number, or - to read it from stdin")
		out = fs.String("out", "", "export: folder to write subject.json and files into (must not exist or be empty)")
		yes = fs.Bool("yes", false, "erase: confirm the erasure")
		op = operatorFlag(fs)
	})
	if err != nil {
		return err
	}
	// The password comes first when both it and the ID are read from
	// stdin: one line each, password then ID.
	var idSrc io.Reader = subjectStdin
	var in *bufio.Reader
	if *idFlag == "-" {
		in = bufio.NewReader(subjectStdin)
		idSrc = in
	}
	if err := op.readPassword(in, stderr); err != nil {
		return err
	}
	id, err := readID(*idFlag, idSrc)
	if err != nil {
		return &exitError{Code: 2, Err: err}
	}
	if sub == "export" && *out == "" {
		return &exitError{Code: 2, Err: errors.New("--out is required")}
	}
	if sub == "erase" && !*yes {
		return &exitError{Code: 2, Err: errors.New("erasure cannot be undone: add --yes")}
	}
	st, err := openStation(ctx, cfg, openOptions{Stores: true})
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := op.login(ctx, st, stderr)
	if err != nil {
		return err
	}
	svc := subjectService(st, a)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if sub == "export" {
		m, err := svc.Export(ctx, a, id, *out)
		if errors.Is(err, access.ErrDenied) {
			return &exitError{Code: 4, Err: err}
		}
		if m.Masked != "" {
			enc.Encode(m)
		}
		return err
	}
	rep, err := svc.Erase(ctx, a, id)
	if errors.Is(err, access.ErrDenied) {
		return &exitError{Code: 4, Err: err}
	}
	if rep.Masked != "" {
		enc.Encode(rep)
	}
	return err
}
