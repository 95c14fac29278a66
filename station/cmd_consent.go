package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	consenttext "github.com/dinhdanh/dinhdanh/assets/consent"
	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/consent"
)

func init() {
	register(command{Name: "consent", Summary: "print the consent notice, or the consent recorded for an application", Run: runConsent})
}

func runConsent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, `usage: station consent text [--version V] [--lang vi|en]
       station consent show --app UUID [--db PATH] --user NAME`)
	}
	if len(args) == 0 || (args[0] != "text" && args[0] != "show") {
		usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return &exitError{Code: 2, Err: errors.New("want text or show")}
	}
	sub := args[0]
	// The notice's language is the station's -lang setting.
	var version, app *string
	var op *operator
	cfg, _, err := parseConfig("consent "+sub, args[1:], stderr, func(fs *flag.FlagSet) {
		version = fs.String("version", consenttext.Current, "text: notice version")
		app = fs.String("app", "", "show: application UUID")
		op = operatorFlag(fs)
	})
	if err != nil {
		return err
	}
	if sub == "text" {
		t, err := consenttext.Text(*version, cfg.Language)
		if err != nil {
			return &exitError{Code: 2, Err: err}
		}
		fmt.Fprint(stdout, t)
		fmt.Fprintf(stdout, "\nSHA-256: %s\n", consent.TextHash(t))
		return nil
	}
	if *app == "" {
		return &exitError{Code: 2, Err: errors.New("--app is required")}
	}
	if err := op.readPassword(nil, stderr); err != nil {
		return err
	}
	st, err := openStation(ctx, cfg, openOptions{})
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := op.authorize(ctx, st, stderr, access.ViewCitizenData, *app)
	if err != nil {
		return err
	}
	l := st.Log
	r, err := consent.NewStore(l).Get(ctx, *app)
	if err != nil {
		return err
	}
	out, err := consent.Render(r, time.Local)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, out)
	return l.Record(ctx, audit.Entry{Actor: a.Name, Role: string(a.Role), Action: audit.ConsentPrinted, Object: *app})
}
