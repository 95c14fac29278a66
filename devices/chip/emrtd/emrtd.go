// Package emrtd reads an eMRTD chip end to end: it selects the
// application, runs BAC, reads EF.COM, the data groups and EF.SOD in the
// largest blocks the reader allows, reports progress, decodes the files
// and runs passive (and, with DG15, active) authentication.
package emrtd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
	"github.com/dinhdanh/dinhdanh/devices/chip/sm"
	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// AID is the eMRTD application identifier (9303-10 §4.2).
var AID = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// Options control a read.
type Options struct {
	// Progress is called after each block with the file's name, the bytes
	// read so far and its total size (0 until known).
	Progress func(file string, done, total int)
	// MaxRead is the largest READ BINARY to ask for. 0 chooses: the rest
	// of the file in one command when extended length is on, else 0xE7.
	MaxRead int
	// Extended allows extended-length APDUs; set it when the reader and
	// card advertise them (see Capabilities).
	Extended bool
	// TrustStore holds the CSCAs for passive authentication. Nil still
	// checks hashes and the signature but no anchor can verify.
	TrustStore *passiveauth.TrustStore
	// DataGroups to read; nil reads 1, 2, 13, 14 and 15 when EF.COM
	// lists them (DG3 is tried and its refusal recorded).
	DataGroups []int
	// SkipActiveAuth leaves out active authentication.
	SkipActiveAuth bool
	// Rand supplies terminal nonces (crypto/rand when nil).
	Rand io.Reader
	// Now is the time certificates are checked at (time.Now when zero).
	Now time.Time
}

// Capabilities are optionally implemented by transports that know whether
// the reader handles extended-length APDUs.
type Capabilities interface {
	ExtendedLength() bool
}

// Read runs the whole read over t with the BAC key. On any error no
// partial document is returned: a card pulled mid-read yields an error
// wrapping iso7816.ErrCardRemoved and nothing else.
func Read(ctx context.Context, t iso7816.Transceiver, key bac.Key, opts Options) (*document.Document, error) {
	if c, ok := t.(Capabilities); ok && !opts.Extended {
		opts.Extended = c.ExtendedLength()
	}
	card := &iso7816.Card{T: t, Extended: opts.Extended}
	r := &reader{opts: opts}
	doc, err := r.read(ctx, card, key)
	if err != nil {
		return nil, err
	}
	return doc, nil
}

type reader struct {
	opts  Options
	block int
}

func (r *reader) read(ctx context.Context, card *iso7816.Card, key bac.Key) (*document.Document, error) {
	if _, err := key.MRZInformation(); err != nil {
		return nil, err
	}
	if err := iso7816.SelectAID(ctx, card, AID); err != nil {
		return nil, fmt.Errorf("select eMRTD application: %w", err)
	}
	s, err := bac.Authenticate(ctx, card, key, r.opts.Rand)
	if err != nil {
		return nil, err
	}
	r.block = r.opts.MaxRead
	if r.block <= 0 {
		r.block = sm.MaxShortRead
		if r.opts.Extended {
			r.block = 0x7FFF // bounded again by each file's size
		}
	}
	if !r.opts.Extended && r.block > sm.MaxShortRead {
		r.block = sm.MaxShortRead
	}
	doc := &document.Document{Raw: map[int][]byte{}, Unreadable: map[string]string{}}
	comRaw, err := r.readFile(ctx, s, document.FIDCOM)
	if err != nil {
		return nil, err
	}
	if doc.COM, err = document.ParseCOM(comRaw); err != nil {
		return nil, err
	}
	doc.Raw[0] = comRaw
	want := r.opts.DataGroups
	if want == nil {
		want = []int{1, 2, 3, 13, 14, 15}
	}
	listed := map[int]bool{}
	for _, n := range doc.COM.DataGroups {
		listed[n] = true
	}
	for _, n := range want {
		if !listed[n] {
			continue
		}
		b, err := r.readFile(ctx, s, document.FID(n))
		var se *iso7816.StatusError
		if errors.As(err, &se) && (errors.Is(err, iso7816.ErrSecurityNotSatisfied) || errors.Is(err, iso7816.ErrFileNotFound)) {
			doc.Unreadable[document.FileName(document.FID(n))] = se.Error()
			continue
		}
		if err != nil {
			return nil, err
		}
		doc.Raw[n] = b
	}
	sodRaw, err := r.readFile(ctx, s, document.FIDSOD)
	if err != nil {
		return nil, err
	}
	doc.Raw[-1] = sodRaw
	if err := decode(doc); err != nil {
		return nil, err
	}
	now := r.opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	files := map[int][]byte{}
	for n, b := range doc.Raw {
		if n > 0 {
			files[n] = b
		}
	}
	doc.PassiveAuth = passiveauth.Verify(doc.SOD, files, r.opts.TrustStore, now)
	if doc.DG15 != nil && !r.opts.SkipActiveAuth {
		doc.ActiveAuth = activeAuthenticate(ctx, s, doc, r.opts.Rand)
		if errors.Is(ctx.Err(), context.Canceled) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ctx.Err()
		}
	}
	return doc, nil
}

// decode parses every file read; a file that does not parse fails the read.
func decode(doc *document.Document) error {
	var err error
	if b, ok := doc.Raw[1]; ok {
		if doc.MRZ, err = document.ParseDG1(b); err != nil {
			return err
		}
	}
	if b, ok := doc.Raw[2]; ok {
		p, err := document.ParseDG2(b)
		if err != nil {
			return err
		}
		doc.PortraitRaw = p.Image
		doc.PortraitFormat = "jpeg"
		if p.DataType == document.ImageJPEG2000 || document.IsJPEG2000(p.Image) {
			doc.PortraitFormat = "jpeg2000"
		}
		if img, _, err := p.Decode(); err != nil {
			doc.PortraitError = err.Error()
		} else {
			doc.Portrait = img
		}
	}
	if b, ok := doc.Raw[13]; ok {
		if doc.DG13, err = document.ParseDG13(b); err != nil {
			return err
		}
	}
	if b, ok := doc.Raw[14]; ok {
		if _, err := document.ParseDG14(b); err != nil {
			return err
		}
		doc.DG14 = b
	}
	if b, ok := doc.Raw[15]; ok {
		if doc.DG15, err = document.ParseDG15(b); err != nil {
			return err
		}
	}
	doc.SOD, err = document.ParseSOD(doc.Raw[-1])
	return err
}

// readFile selects fid and reads it whole, learning its size from the
// TLV header in the first block.
func (r *reader) readFile(ctx context.Context, s iso7816.Sender, fid uint16) ([]byte, error) {
	name := document.FileName(fid)
	if err := iso7816.SelectFile(ctx, s, fid); err != nil {
		return nil, fmt.Errorf("select %s: %w", name, err)
	}
	first := r.block
	if first > 0xFF && !r.opts.Extended {
		first = 0xFF
	}
	if first > sm.MaxShortRead && r.block == 0x7FFF {
		first = sm.MaxShortRead // size unknown yet: one short read, then the rest at once
	}
	buf, err := iso7816.ReadBinary(ctx, s, 0, first)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	_, l, hl, err := tlv.Header(buf)
	if err != nil {
		return nil, fmt.Errorf("read %s: header: %w", name, err)
	}
	total := hl + l
	if total > 0x7FFF+r.block {
		return nil, fmt.Errorf("read %s: %d bytes is beyond what READ BINARY offsets reach", name, total)
	}
	if len(buf) > total {
		buf = buf[:total]
	}
	r.progress(name, len(buf), total)
	for len(buf) < total {
		n := total - len(buf)
		if n > r.block {
			n = r.block
		}
		if len(buf) > 0x7FFF {
			return nil, fmt.Errorf("read %s: offset %d beyond 0x7FFF", name, len(buf))
		}
		part, err := iso7816.ReadBinary(ctx, s, len(buf), n)
		if err != nil {
			return nil, fmt.Errorf("read %s at %d: %w", name, len(buf), err)
		}
		if len(part) == 0 {
			return nil, fmt.Errorf("read %s: card returned no data at offset %d of %d", name, len(buf), total)
		}
		buf = append(buf, part...)
		r.progress(name, len(buf), total)
	}
	return buf[:total], nil
}

func (r *reader) progress(name string, done, total int) {
	if r.opts.Progress != nil {
		if done > total {
			done = total
		}
		r.opts.Progress(name, done, total)
	}
}
