package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/auth"
)

// passwordEnv holds the operator's password for scripts and tests (the
// nightly job needs none: it runs as the system). It is read, never logged
// or printed.
const passwordEnv = "DINHDANH_PASSWORD"

// exitDenied is the exit code of a failed log-in or a refused action.
const exitDenied = 4

// operatorStdin is where the password is read from when it is neither in
// the environment nor typed at a terminal; a variable for tests.
var operatorStdin io.Reader = os.Stdin

// stdinIsTerminal reports whether the password can be read without echo.
var stdinIsTerminal = func() bool { return term.IsTerminal(int(os.Stdin.Fd())) }

// operator is the -user flag of the commands that touch citizen data, the
// audit trail or the keys: who runs them is authenticated against the
// station's user accounts, never taken on trust.
type operator struct {
	name     *string
	password string
	read     bool
}

func operatorFlag(fs *flag.FlagSet) *operator {
	return &operator{name: fs.String("user", "", "station user who runs this (password from $"+passwordEnv+", the terminal, or the first line of stdin)")}
}

// readPassword takes the password from $DINHDANH_PASSWORD, else from the
// terminal without echo, else from the first line of in (operatorStdin
// when nil). Call it before anything else reads stdin.
func (o *operator) readPassword(in *bufio.Reader, stderr io.Writer) error {
	if o.read {
		return nil
	}
	if strings.TrimSpace(*o.name) == "" {
		return &exitError{Code: 2, Err: errors.New("-user is required: the station user who runs this")}
	}
	o.read = true
	if pw, ok := os.LookupEnv(passwordEnv); ok {
		o.password = pw
		return nil
	}
	if stdinIsTerminal() {
		fmt.Fprintf(stderr, "password for %s: ", strings.TrimSpace(*o.name))
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return fmt.Errorf("read password: %w", err)
		}
		o.password = string(b)
		return nil
	}
	if in == nil {
		in = bufio.NewReader(operatorStdin)
	}
	line, err := in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	o.password = strings.TrimRight(line, "\r\n")
	return nil
}

// login authenticates the operator against the station's users (lockout
// and the audit of failures are auth's) and returns the actor whose role
// the access checks and audit entries use. A failed log-in is exit 4.
func (o *operator) login(ctx context.Context, st *station, stderr io.Writer) (access.Actor, error) {
	if err := o.readPassword(nil, stderr); err != nil {
		return access.Actor{}, err
	}
	users := &auth.Users{DB: st.DB, Audit: st.Log}
	u, err := users.Login(ctx, *o.name, o.password)
	o.password = ""
	if errors.Is(err, auth.ErrBadCredentials) || errors.Is(err, auth.ErrLocked) || errors.Is(err, auth.ErrDisabled) {
		return access.Actor{}, &exitError{Code: exitDenied, Err: fmt.Errorf("access denied: %w", err)}
	}
	if err != nil {
		return access.Actor{}, err
	}
	r, err := access.ParseRole(string(u.Role))
	if err != nil {
		return access.Actor{}, &exitError{Code: exitDenied, Err: fmt.Errorf("access denied: %w", err)}
	}
	return access.Actor{Name: u.Name, Role: r}, nil
}

// authorize logs the operator in and checks one permission on object
// through the audited access guard. A failed log-in or a denial is exit 4.
func (o *operator) authorize(ctx context.Context, st *station, stderr io.Writer, perm access.Permission, object string) (access.Actor, error) {
	a, err := o.login(ctx, st, stderr)
	if err != nil {
		return a, err
	}
	if err := (access.Guard{Rec: st.Log}).Allow(ctx, a, perm, object); err != nil {
		return a, &exitError{Code: exitDenied, Err: err}
	}
	return a, nil
}
