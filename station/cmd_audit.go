package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
)

func init() {
	register(command{Name: "audit", Summary: "verify, export or acknowledge the tamper-evident audit log", Run: runAudit})
}

// Exit codes of the privacy commands.
const (
	exitAuditBroken = 3 // the chain has an unacknowledged break
)

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, `usage: station audit verify [--db PATH | --file EXPORT] [--trusted-key HEX]... [--json]
       station audit export --from DATE --to DATE [--out FILE] [--db PATH]
       station audit ack --note TEXT [--db PATH]
       station audit head [--db PATH]
       station audit status [--db PATH]   (the start-up integrity check, for diagnostics)`)
	}
	if len(args) == 0 {
		usage()
		return &exitError{Code: 2, Err: errors.New("missing subcommand")}
	}
	switch args[0] {
	case "verify":
		return auditVerify(ctx, args[1:], stdout, stderr)
	case "export":
		return auditExport(ctx, args[1:], stdout, stderr)
	case "ack", "acknowledge":
		return auditAck(ctx, args[1:], stdout, stderr)
	case "head":
		return auditHead(ctx, args[1:], stdout, stderr)
	case "status":
		return auditStatus(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		usage()
		return nil
	}
	usage()
	return &exitError{Code: 2, Err: fmt.Errorf("unknown subcommand %q", args[0])}
}

type hexKeys []ed25519.PublicKey

func (k *hexKeys) String() string { return fmt.Sprint(len(*k), " keys") }
func (k *hexKeys) Set(s string) error {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return errors.New("want 64 hex digits (an Ed25519 public key)")
	}
	*k = append(*k, ed25519.PublicKey(b))
	return nil
}

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var file *string
	var asJSON *bool
	var keys hexKeys
	cfg, _, err := parseConfig("audit verify", args, stderr, func(fs *flag.FlagSet) {
		file = fs.String("file", "", "verify an export (JSON lines) instead of the database")
		asJSON = fs.Bool("json", false, "print the report as JSON")
		fs.Var(&keys, "trusted-key", "Ed25519 public key (hex) checkpoints must be signed with; repeatable")
	})
	if err != nil {
		return err
	}
	opts := audit.VerifyOptions{TrustedKeys: keys}
	var rep *audit.Report
	if *file != "" {
		f, ferr := os.Open(*file)
		if ferr != nil {
			return ferr
		}
		defer f.Close()
		rep, err = audit.VerifyExport(f, opts)
	} else {
		st, oerr := openStation(ctx, cfg, openOptions{ReadOnly: true})
		if oerr != nil {
			return oerr
		}
		defer st.Close()
		rep, err = st.Log.Verify(ctx, opts)
	}
	if err != nil {
		return &exitError{Code: exitAuditBroken, Err: fmt.Errorf("audit log unreadable: %w", err)}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		fmt.Fprintf(stdout, "entries %d (seq %d–%d), checkpoints verified %d, head %d %s\n",
			rep.Entries, rep.Base.Seq+1, rep.Head.Seq, rep.Checkpoints, rep.Head.Seq, short(rep.Head.Hash))
		for _, w := range rep.Warnings {
			fmt.Fprintln(stdout, "warning:", w)
		}
		for _, b := range rep.Breaks {
			fmt.Fprintln(stdout, "break:", b)
		}
	}
	if b := rep.FirstBreak(); b != nil {
		return &exitError{Code: exitAuditBroken, Err: fmt.Errorf("chain broken, first at %s", b)}
	}
	if !*asJSON {
		fmt.Fprintln(stdout, "OK: the chain verifies")
	}
	return nil
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// parseDay reads YYYY-MM-DD (local midnight; with end set, the midnight
// after, so that --to names an included day) or RFC 3339.
func parseDay(s string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return t, fmt.Errorf("date %q: want YYYY-MM-DD or RFC 3339", s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func auditExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var from, to, out *string
	var op *operator
	cfg, _, err := parseConfig("audit export", args, stderr, func(fs *flag.FlagSet) {
		from = fs.String("from", "", "first day (YYYY-MM-DD) or instant (RFC 3339) to export")
		to = fs.String("to", "", "last day included (YYYY-MM-DD) or instant excluded (RFC 3339)")
		out = fs.String("out", "", "write to this file (mode 0600) instead of stdout")
		op = operatorFlag(fs)
	})
	if err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return &exitError{Code: 2, Err: errors.New("--from and --to are required")}
	}
	f, err := parseDay(*from, false)
	if err != nil {
		return &exitError{Code: 2, Err: err}
	}
	t, err := parseDay(*to, true)
	if err != nil {
		return &exitError{Code: 2, Err: err}
	}
	if err := op.readPassword(nil, stderr); err != nil {
		return err
	}
	st, err := openStation(ctx, cfg, openOptions{})
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := op.authorize(ctx, st, stderr, access.ExportAudit, "audit_log")
	if err != nil {
		return err
	}
	l := st.Log
	w := stdout
	if *out != "" {
		file, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	n, err := l.Export(ctx, w, f, t, a.Name, string(a.Role))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d entries\n", n)
	return nil
}

func auditAck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var note *string
	var op *operator
	cfg, _, err := parseConfig("audit ack", args, stderr, func(fs *flag.FlagSet) {
		note = fs.String("note", "", "what was done about it (reported to whom), recorded in the log")
		op = operatorFlag(fs)
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(*note) == "" {
		return &exitError{Code: 2, Err: errors.New("--note is required: say what was done about the break")}
	}
	if err := op.readPassword(nil, stderr); err != nil {
		return err
	}
	st, err := openStation(ctx, cfg, openOptions{})
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := op.authorize(ctx, st, stderr, access.AcknowledgeAuditCorruption, "audit_log")
	if err != nil {
		return err
	}
	l := st.Log
	in, err := l.Acknowledge(ctx, a.Name, *note)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit log state: %s (%d breaks, all acknowledged)\n", in.State, in.Breaks)
	return nil
}

func auditHead(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseConfig("audit head", args, stderr, nil)
	if err != nil {
		return err
	}
	st, err := openStation(ctx, cfg, openOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	l := st.Log
	h, err := l.Head(ctx)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(h)
}

// auditStatus runs the same integrity check as the station at start-up
// (recorded in the log) and prints its result, which holds no citizen data:
// technicians see it in diagnostics.
func auditStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseConfig("audit status", args, stderr, nil)
	if err != nil {
		return err
	}
	st, err := openStation(ctx, cfg, openOptions{})
	if err != nil {
		return err
	}
	defer st.Close()
	l := st.Log
	in := l.CheckIntegrity(ctx)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.Encode(in)
	if err := l.RequireIntact(); err != nil {
		return &exitError{Code: exitAuditBroken, Err: err}
	}
	return nil
}
