// Package cardtool is the logic behind "station card": it picks a
// transport (PC/SC, direct CCID over USB, or the built-in simulator),
// reads the card and renders the result as JSON with ID numbers masked.
package cardtool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/gousb"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/ccid"
	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/devices/chip/emrtd"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	_ "github.com/dinhdanh/dinhdanh/devices/chip/jp2" // JPEG 2000 portraits
	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
	"github.com/dinhdanh/dinhdanh/devices/chip/pcsc"
)

// Config is what "station card read" was asked to do.
type Config struct {
	MRZ           string // full MRZ text, or
	Doc, DOB, Exp string // document number (or 12-digit ID), YYMMDD, YYMMDD
	// Reader selects the reader: "" (first PC/SC reader, else first CCID
	// reader), a PC/SC reader name, "ccid", "ccid:VVVV:PPPP" or "sim".
	Reader   string
	ShowID   bool
	Portrait string   // where to save the portrait ("" = do not save)
	CSCA     []string // trust store files or folders
	MaxRead  int
	Extended bool
	Timeout  time.Duration
}

// Key derives the BAC key from the MRZ or the three fields. A 12-digit
// CCCD ID number given as the document number is cut to its last 9 digits.
func (c Config) Key() (bac.Key, error) {
	if c.MRZ != "" {
		m, err := mrz.Parse(strings.ReplaceAll(c.MRZ, `\n`, "\n"))
		if err != nil {
			return bac.Key{}, err
		}
		return bac.KeyFromMRZ(m), nil
	}
	if c.Doc == "" || c.DOB == "" || c.Exp == "" {
		return bac.Key{}, errors.New("give --mrz, or --doc, --dob and --exp")
	}
	doc := c.Doc
	if len(doc) == 12 {
		if d, err := mrz.CCCDDocumentNumber(doc); err == nil {
			doc = d
		}
	}
	k := bac.Key{DocumentNumber: doc, DateOfBirth: c.DOB, DateOfExpiry: c.Exp}
	_, err := k.MRZInformation()
	return k, err
}

// Result is the JSON printed by "station card read".
type Result struct {
	Reader      string                      `json:"reader"`
	Transport   string                      `json:"transport"`
	APDUs       int                         `json:"apdus"`
	ElapsedMS   int64                       `json:"elapsed_ms"`
	MRZ         *MRZ                        `json:"mrz,omitempty"`
	DG13        *document.DG13              `json:"dg13,omitempty"`
	Portrait    *Portrait                   `json:"portrait,omitempty"`
	Files       map[string]int              `json:"files_read"`
	Unreadable  map[string]string           `json:"unreadable,omitempty"`
	PassiveAuth *document.PassiveAuthResult `json:"passive_auth"`
	Verdict     string                      `json:"verdict"`
	ActiveAuth  *document.ActiveAuthResult  `json:"active_auth,omitempty"`
}

// MRZ is DG1 as printed.
type MRZ struct {
	DocumentCode   string `json:"document_code"`
	Issuer         string `json:"issuer"`
	DocumentNumber string `json:"document_number"`
	IDNumber       string `json:"id_number,omitempty"`
	DateOfBirth    string `json:"date_of_birth"`
	Sex            string `json:"sex"`
	DateOfExpiry   string `json:"date_of_expiry"`
	Nationality    string `json:"nationality"`
	Surname        string `json:"surname"`
	GivenNames     string `json:"given_names"`
}

// Portrait describes the DG2 image.
type Portrait struct {
	Format  string `json:"format"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Bytes   int    `json:"bytes"`
	SavedTo string `json:"saved_to,omitempty"`
	Error   string `json:"decode_error,omitempty"`
}

// Summarize turns a document into the printed result, masking ID
// numbers unless showID.
func Summarize(doc *document.Document, showID bool) *Result {
	mask := idnum.Mask
	if showID {
		mask = func(s string) string { return s }
	}
	r := &Result{Files: map[string]int{}, Unreadable: doc.Unreadable, PassiveAuth: doc.PassiveAuth, ActiveAuth: doc.ActiveAuth, Verdict: doc.PassiveAuth.Summary()}
	for n, b := range doc.Raw {
		name := fmt.Sprintf("DG%d", n)
		switch n {
		case 0:
			name = "EF.COM"
		case -1:
			name = "EF.SOD"
		}
		r.Files[name] = len(b)
	}
	if m := doc.MRZ; m != nil {
		r.MRZ = &MRZ{DocumentCode: m.DocumentCode, Issuer: m.Issuer, DocumentNumber: mask(m.DocumentNumber), IDNumber: mask(m.IDNumber),
			DateOfBirth: m.DateOfBirth, Sex: m.Sex, DateOfExpiry: m.DateOfExpiry, Nationality: m.Nationality, Surname: m.Surname, GivenNames: m.GivenNames}
	}
	if doc.DG13 != nil {
		d := *doc.DG13
		d.IDNumber, d.OldIDNumber, d.Field16 = mask(d.IDNumber), mask(d.OldIDNumber), mask(d.Field16)
		r.DG13 = &d
	}
	if doc.PortraitRaw != nil {
		p := &Portrait{Format: doc.PortraitFormat, Bytes: len(doc.PortraitRaw), Error: doc.PortraitError}
		if doc.Portrait != nil {
			p.Width, p.Height = doc.Portrait.Bounds().Dx(), doc.Portrait.Bounds().Dy()
		}
		r.Portrait = p
	}
	return r
}

// counter counts APDUs on their way to the card.
type counter struct {
	t iso7816.Transceiver
	n int
}

func (c *counter) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	c.n++
	return c.t.Transmit(ctx, apdu)
}

func (c *counter) ExtendedLength() bool {
	if x, ok := c.t.(emrtd.Capabilities); ok {
		return x.ExtendedLength()
	}
	return false
}

// Read performs "station card read" and writes JSON to stdout.
func Read(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	key, err := cfg.Key()
	if err != nil && !(cfg.Reader == "sim" && cfg.MRZ == "" && cfg.Doc == "") {
		return err
	}
	ts, err := passiveauth.Load(cfg.CSCA...)
	if err != nil {
		return err
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	t, name, transport, closeFn, err := open(ctx, cfg, ts, &key)
	if err != nil {
		return err
	}
	defer closeFn()
	cnt := &counter{t: t}
	start := time.Now()
	doc, err := emrtd.Read(ctx, cnt, key, emrtd.Options{
		TrustStore: ts, MaxRead: cfg.MaxRead, Extended: cfg.Extended,
		Progress: func(file string, done, total int) {
			fmt.Fprintf(stderr, "\r%-7s %6d / %6d bytes", file, done, total)
			if done == total {
				fmt.Fprintln(stderr)
			}
		},
	})
	if err != nil {
		fmt.Fprintln(stderr)
		return err
	}
	res := Summarize(doc, cfg.ShowID)
	res.Reader, res.Transport, res.APDUs, res.ElapsedMS = name, transport, cnt.n, time.Since(start).Milliseconds()
	if cfg.Portrait != "" && doc.PortraitRaw != nil {
		path := cfg.Portrait
		if filepath.Ext(path) == "" {
			path += map[string]string{"jpeg": ".jpg", "jpeg2000": ".jp2"}[doc.PortraitFormat]
		}
		if err := os.WriteFile(path, doc.PortraitRaw, 0o600); err != nil {
			return fmt.Errorf("save portrait: %w", err)
		}
		res.Portrait.SavedTo = path
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func open(ctx context.Context, cfg Config, ts *passiveauth.TrustStore, key *bac.Key) (iso7816.Transceiver, string, string, func(), error) {
	switch {
	case cfg.Reader == "sim":
		p := chipsim.DemoPerson()
		card, pki, err := chipsim.NewCCCD(p, chipsim.Options{Extended: true})
		if err != nil {
			return nil, "", "", nil, err
		}
		ts.AddCertificate(pki.CSCA) // the simulator's own throw-away CSCA
		if cfg.MRZ == "" && cfg.Doc == "" {
			*key = card.Key()
		}
		return card, "simulated CCCD (synthetic citizen)", "sim", func() {}, nil
	case cfg.Reader == "ccid" || strings.HasPrefix(cfg.Reader, "ccid:"):
		return openCCID(ctx, cfg.Reader)
	}
	pc, err := pcsc.Establish()
	if err != nil {
		if cfg.Reader == "" {
			return openCCID(ctx, "ccid")
		}
		return nil, "", "", nil, err
	}
	readers, err := pc.Readers()
	if err != nil {
		pc.Release()
		return nil, "", "", nil, err
	}
	name := cfg.Reader
	if name == "" {
		if len(readers) == 0 {
			pc.Release()
			return openCCID(ctx, "ccid")
		}
		name = readers[0]
	}
	card, err := pc.Connect(name)
	if err != nil {
		pc.Release()
		return nil, "", "", nil, err
	}
	if !cfg.Extended {
		card.DetectExtended() // the CCID driver reports the reader's largest APDU
	} else {
		card.Extended = true
	}
	return card, name, "pcsc", func() { card.Close(); pc.Release() }, nil
}

func openCCID(ctx context.Context, spec string) (iso7816.Transceiver, string, string, func(), error) {
	var vid, pid gousb.ID
	if rest, ok := strings.CutPrefix(spec, "ccid:"); ok {
		if _, err := fmt.Sscanf(rest, "%x:%x", &vid, &pid); err != nil {
			return nil, "", "", nil, fmt.Errorf("reader %q: want ccid:VVVV:PPPP (hex)", spec)
		}
	}
	uctx := gousb.NewContext()
	dev, err := ccid.OpenUSB(uctx, vid, pid)
	if err != nil {
		uctx.Close()
		if errors.Is(err, ccid.ErrNotFound) {
			return nil, "", "", nil, errors.New("no card reader found (no PC/SC reader and no USB CCID reader)")
		}
		return nil, "", "", nil, err
	}
	r, err := ccid.NewReader(dev)
	if err != nil {
		dev.Close()
		uctx.Close()
		return nil, "", "", nil, err
	}
	if _, err := r.PowerOn(ctx); err != nil {
		r.Close()
		uctx.Close()
		return nil, "", "", nil, err
	}
	return r, fmt.Sprintf("USB CCID %s:%s", vid, pid), "ccid", func() { r.PowerOff(context.Background()); r.Close(); uctx.Close() }, nil
}

// List writes the readers both transports can see.
func List(ctx context.Context, stdout io.Writer) error {
	if pc, err := pcsc.Establish(); err != nil {
		fmt.Fprintf(stdout, "PC/SC: %v\n", err)
	} else {
		rs, err := pc.Readers()
		pc.Release()
		if err != nil {
			fmt.Fprintf(stdout, "PC/SC: %v\n", err)
		}
		fmt.Fprintf(stdout, "PC/SC: %d reader(s)\n", len(rs))
		for _, r := range rs {
			fmt.Fprintf(stdout, "  %s\n", r)
		}
	}
	uctx := gousb.NewContext()
	defer uctx.Close()
	infos, err := ccid.List(uctx)
	if err != nil {
		fmt.Fprintf(stdout, "USB CCID: %v\n", err)
		return nil
	}
	fmt.Fprintf(stdout, "USB CCID: %d reader(s)\n", len(infos))
	for _, i := range infos {
		fmt.Fprintf(stdout, "  ccid:%s:%s  %s\n", i.Vendor, i.Product, i)
	}
	fmt.Fprintln(stdout, "Simulator: sim")
	return nil
}
