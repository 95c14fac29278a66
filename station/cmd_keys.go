package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"fmt"
	"io"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/keys"
)

func init() {
	register(command{Name: "keys", Summary: "station keys: init, show, rotate the data key or the KEK", Run: runKeys})
}

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var op *operator
	cfg, action, err := parseAction("keys", args, stderr, "  init    create the station key file (0600) and the first data key\n  show    print the station ID and public key (for enrolment upstream)\n  rotate  new data key; re-seal all applications and the template cache\n  rotate-kek  new key-encryption key in the key file; re-wrap the data keys\n",
		[]string{"init", "show", "rotate", "rotate-kek"}, func(fs *flag.FlagSet) {
			op = operatorFlag(fs) // rotate, rotate-kek: a supervisor
		})
	if err != nil {
		return err
	}
	switch action {
	case "init", "show":
		if _, err := keys.LoadOrCreate(cfg.KeyFile); err != nil {
			return err
		}
		st, err := openStation(ctx, cfg, openOptions{NeedKeys: true, Stores: true})
		if err != nil {
			return err
		}
		defer st.Close()
		fmt.Fprintf(stdout, "station_id  %s\npublic_key  %s\ndata_key    %d\nkey_file    %s\n", st.Key.StationID,
			base64.StdEncoding.EncodeToString(st.Key.Signing.Public().(ed25519.PublicKey)), st.Keyring.ActiveKeyID(), cfg.KeyFile)
		return nil
	case "rotate":
		if err := op.readPassword(nil, stderr); err != nil {
			return err
		}
		st, err := openStation(ctx, cfg, openOptions{NeedKeys: true, Stores: true})
		if err != nil {
			return err
		}
		defer st.Close()
		a, err := op.authorize(ctx, st, stderr, access.RotateKeys, "keys")
		if err != nil {
			return err
		}
		n, err := st.Keyring.Rotate(ctx, st.Log, a.Name, st.Apps, st.Cache)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "data key %d active; %d blobs re-sealed\n", st.Keyring.ActiveKeyID(), n)
		return nil
	case "rotate-kek":
		if err := op.readPassword(nil, stderr); err != nil {
			return err
		}
		st, err := openStation(ctx, cfg, openOptions{NeedKeys: true})
		if err != nil {
			return err
		}
		defer st.Close()
		a, err := op.authorize(ctx, st, stderr, access.RotateKeys, "keys")
		if err != nil {
			return err
		}
		if err := keys.RotateKEK(ctx, st.DB, cfg.KeyFile, st.Log, a.Name); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "key-encryption key rotated; data keys re-wrapped")
		return nil
	}
	return &exitError{Code: 2, Err: fmt.Errorf("unknown keys action %q", action)}
}
