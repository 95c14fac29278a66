package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/cardtool"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
)

func init() {
	register(command{Name: "card", Summary: "read a CCCD / eMRTD chip (BAC, secure messaging, passive authentication)", Run: runCard})
}

func runCard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "read" && args[0] != "readers") {
		fmt.Fprintln(stderr, "usage: station card read [flags] | station card readers")
		return &exitError{Code: 2, Err: errors.New("want a subcommand: read or readers")}
	}
	if args[0] == "readers" {
		return cardtool.List(ctx, stdout)
	}
	fs := flag.NewFlagSet("card read", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg cardtool.Config
	var csca string
	fs.StringVar(&cfg.MRZ, "mrz", "", "the MRZ (lines separated by newlines or \\n)")
	fs.StringVar(&cfg.Doc, "doc", "", "document number: the 12-digit ID number or its last 9 digits")
	fs.StringVar(&cfg.DOB, "dob", "", "date of birth YYMMDD")
	fs.StringVar(&cfg.Exp, "exp", "", "date of expiry YYMMDD")
	fs.StringVar(&cfg.Reader, "reader", "", `reader: a PC/SC name, "ccid", "ccid:VVVV:PPPP" or "sim" (default: first PC/SC reader, else first USB CCID reader)`)
	fs.BoolVar(&cfg.ShowID, "show-id", false, "print ID numbers unmasked")
	fs.StringVar(&cfg.Portrait, "portrait", "portrait", `save the DG2 portrait here (extension added from its format; "" to skip)`)
	fs.StringVar(&csca, "csca", "", "comma-separated CSCA certificate files or folders (the trust store)")
	fs.IntVar(&cfg.MaxRead, "block", 0, "READ BINARY size (0 = largest the reader allows)")
	fs.BoolVar(&cfg.Extended, "extended", false, "force extended-length APDUs (otherwise PC/SC readers are asked, CCID readers read from their descriptor)")
	fs.DurationVar(&cfg.Timeout, "timeout", 60*time.Second, "give up after this long")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if csca != "" {
		cfg.CSCA = strings.Split(csca, ",")
	}
	err := cardtool.Read(ctx, cfg, stdout, stderr)
	switch {
	case errors.Is(err, bac.ErrAccessDenied):
		return &exitError{Code: 3, Err: err}
	case errors.Is(err, iso7816.ErrCardRemoved), errors.Is(err, iso7816.ErrNoCard):
		return &exitError{Code: 4, Err: fmt.Errorf("%w: nothing was kept, put the card back and read again", err)}
	}
	return err
}
