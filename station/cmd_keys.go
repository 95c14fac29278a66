package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

func init() {
	register(command{Name: "keys", Summary: "station keys: init, show, rotate the data key or the KEK", Run: runKeys})
}

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files syncFiles
	files.flags(fs)
	actor := fs.String("actor", "technician", "who rotates (recorded in the audit log)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: station keys [flags] init|show|rotate|rotate-kek\n\n  init    create the station key file (0600) and the first data key\n  show    print the station ID and public key (for enrolment upstream)\n  rotate  new data key; re-seal all applications and the template cache\n  rotate-kek  new key-encryption key in the key file; re-wrap the data keys\n\nFlags:")
		fs.PrintDefaults()
	}
	// The action may come before or after the flags.
	var action string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		action, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{Code: 2, Err: err}
	}
	files.resolve()
	if action == "" && fs.NArg() == 1 {
		action = fs.Arg(0)
	} else if action == "" || fs.NArg() != 0 {
		action = ""
	}
	if action == "" {
		fs.Usage()
		return &exitError{Code: 2, Err: errors.New("one of init, show, rotate, rotate-kek")}
	}
	switch action {
	case "init", "show":
		kf, err := keys.LoadOrCreate(files.key)
		if err != nil {
			return err
		}
		db, err := store.Open(ctx, files.db, store.Options{})
		if err != nil {
			return err
		}
		defer db.Close()
		kr, err := keys.OpenKeyring(ctx, db, kf)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "station_id  %s\npublic_key  %s\ndata_key    %d\nkey_file    %s\n", kf.StationID,
			base64.StdEncoding.EncodeToString(kf.Signing.Public().(ed25519.PublicKey)), kr.ActiveKeyID(), files.key)
		return nil
	case "rotate":
		kf, err := keys.Load(files.key)
		if err != nil {
			return err
		}
		db, err := store.Open(ctx, files.db, store.Options{})
		if err != nil {
			return err
		}
		defer db.Close()
		kr, err := keys.OpenKeyring(ctx, db, kf)
		if err != nil {
			return err
		}
		repo := application.NewRepo(db, kr, kf.LookupKey(), nil)
		cc := cache.New(db, kr, kf.LookupKey())
		// The audit recorder (privacy area) is passed here once merged.
		n, err := kr.Rotate(ctx, nil, *actor, repo, cc)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "data key %d active; %d blobs re-sealed\n", kr.ActiveKeyID(), n)
		return nil
	case "rotate-kek":
		db, err := store.Open(ctx, files.db, store.Options{})
		if err != nil {
			return err
		}
		defer db.Close()
		if err := keys.RotateKEK(ctx, db, files.key, nil, *actor); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "key-encryption key rotated; data keys re-wrapped")
		return nil
	}
	return &exitError{Code: 2, Err: fmt.Errorf("unknown keys action %q", action)}
}
