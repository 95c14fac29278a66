package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"fmt"
	"io"

	"github.com/dinhdanh/dinhdanh/station/keys"
)

func init() {
	register(command{Name: "keys", Summary: "station keys: init, show, rotate the data key or the KEK", Run: runKeys})
}

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var actor *string
	cfg, action, err := parseAction("keys", args, stderr, "  init    create the station key file (0600) and the first data key\n  show    print the station ID and public key (for enrolment upstream)\n  rotate  new data key; re-seal all applications and the template cache\n  rotate-kek  new key-encryption key in the key file; re-wrap the data keys\n",
		[]string{"init", "show", "rotate", "rotate-kek"}, func(fs *flag.FlagSet) {
			actor = fs.String("actor", "technician", "who rotates (recorded in the audit log)")
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
		st, err := openStation(ctx, cfg, openOptions{NeedKeys: true, Stores: true})
		if err != nil {
			return err
		}
		defer st.Close()
		n, err := st.Keyring.Rotate(ctx, st.Log, *actor, st.Apps, st.Cache)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "data key %d active; %d blobs re-sealed\n", st.Keyring.ActiveKeyID(), n)
		return nil
	case "rotate-kek":
		st, err := openStation(ctx, cfg, openOptions{NeedKeys: true})
		if err != nil {
			return err
		}
		defer st.Close()
		if err := keys.RotateKEK(ctx, st.DB, cfg.KeyFile, st.Log, *actor); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "key-encryption key rotated; data keys re-wrapped")
		return nil
	}
	return &exitError{Code: 2, Err: fmt.Errorf("unknown keys action %q", action)}
}
