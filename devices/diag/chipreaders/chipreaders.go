// Package chipreaders connects the diagnostics card-reader self-test to
// the chip area's transports: PC/SC through pcscd, direct USB CCID when
// pcscd is not running, and in demo mode a simulated CCCD in a simulated
// CCID reader (both at the wire level). It also provides the full read
// of a technicians' test card.
package chipreaders

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/google/gousb"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/cardtool"
	"github.com/dinhdanh/dinhdanh/devices/chip/ccid"
	"github.com/dinhdanh/dinhdanh/devices/chip/ccidsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/emrtd"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
	"github.com/dinhdanh/dinhdanh/devices/chip/pcsc"
	"github.com/dinhdanh/dinhdanh/devices/diag"
)

// Source lists card readers for diag. It implements diag.CardReaderSource.
type Source struct {
	// Demo adds a simulated reader holding a simulated CCCD when no real
	// reader is found.
	Demo bool
	// NoHardware skips PC/SC and USB (tests).
	NoHardware bool
}

// Readers implements diag.CardReaderSource.
func (s Source) Readers(ctx context.Context) ([]diag.CardReader, error) {
	var out []diag.CardReader
	var problems []string
	if !s.NoHardware {
		pc, err := pcsc.Establish()
		if err == nil {
			names, lerr := pc.Readers()
			if lerr != nil {
				problems = append(problems, "PC/SC: "+lerr.Error())
			}
			shared := &pcscContext{pc: pc, refs: len(names)}
			for _, n := range names {
				out = append(out, &pcscReader{pc: shared, name: n})
			}
			if len(names) == 0 {
				pc.Release()
			}
		} else {
			problems = append(problems, "PC/SC: "+err.Error())
			// pcscd is not running: reach CCID readers directly.
			rs, err := ccidReaders()
			if err != nil {
				problems = append(problems, "USB CCID: "+err.Error())
			} else if len(rs) == 0 {
				problems = append(problems, "USB CCID: no reader on the USB bus")
			}
			out = append(out, rs...)
		}
	}
	if len(out) == 0 && s.Demo {
		r, err := demoReader()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) == 0 && len(problems) > 0 {
		return nil, fmt.Errorf("no card reader found (%s)", strings.Join(problems, "; "))
	}
	return out, nil
}

// pcscContext is the pcscd connection the readers of one listing share;
// the last reader closed releases it.
type pcscContext struct {
	mu   sync.Mutex
	pc   *pcsc.Context
	refs int
}

func (c *pcscContext) release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refs--
	if c.refs == 0 {
		return c.pc.Release()
	}
	return nil
}

// pcscReader is one PC/SC reader; it connects on first use.
type pcscReader struct {
	pc      *pcscContext
	name    string
	mu      sync.Mutex
	card    *pcsc.Card
	maxAPDU uint32
}

func (r *pcscReader) Name() string      { return r.name }
func (r *pcscReader) Transport() string { return "PC/SC" }
func (r *pcscReader) Simulated() bool   { return false }

func (r *pcscReader) connect() (*pcsc.Card, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.card != nil {
		return r.card, nil
	}
	c, err := r.pc.pc.Connect(r.name)
	if err != nil {
		return nil, err
	}
	// Extended length when the reader's driver reports a large enough
	// dwMaxAPDUDataSize (PC/SC part 10).
	if max, ok := c.DetectExtended(); ok {
		r.maxAPDU = max
	}
	r.card = c
	return c, nil
}

func (r *pcscReader) CardPresent(ctx context.Context) (bool, error) {
	_, err := r.connect()
	if errors.Is(err, iso7816.ErrNoCard) || errors.Is(err, iso7816.ErrCardRemoved) {
		return false, nil
	}
	return err == nil, err
}

func (r *pcscReader) ATR(ctx context.Context) ([]byte, error) {
	c, err := r.connect()
	if err != nil {
		return nil, err
	}
	return c.ATR()
}

func (r *pcscReader) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	c, err := r.connect()
	if err != nil {
		return nil, err
	}
	return c.Transmit(ctx, apdu)
}

// ReaderFacts reports the reader's APDU limits for diag.
func (r *pcscReader) ReaderFacts() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := map[string]string{"extended_length": "unknown (driver does not say)"}
	if r.maxAPDU > 0 {
		f["max_apdu_data"] = fmt.Sprint(r.maxAPDU)
	}
	if r.card != nil && r.card.ExtendedLength() {
		f["extended_length"] = "yes"
	} else if r.maxAPDU > 0 {
		f["extended_length"] = "no"
	}
	return f
}

// ExtendedLength reports what DetectExtended learnt at connection.
func (r *pcscReader) ExtendedLength() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.card != nil && r.card.ExtendedLength()
}

func (r *pcscReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.card != nil {
		r.card.Close()
		r.card = nil
	}
	if r.pc == nil {
		return nil
	}
	err := r.pc.release()
	r.pc = nil
	return err
}

// ccidReader is a reader driven with CCID messages (real or simulated).
type ccidReader struct {
	name  string
	r     *ccid.Reader
	close func()
	// card and trust are set for the demo simulator.
	card  *chipsim.Card
	trust *passiveauth.TrustStore
}

func ccidReaders() ([]diag.CardReader, error) {
	uctx := gousb.NewContext()
	infos, err := ccid.List(uctx)
	if err != nil || len(infos) == 0 {
		uctx.Close()
		return nil, err
	}
	var out []diag.CardReader
	var errs []error
	for _, in := range infos {
		dev, err := ccid.OpenUSB(uctx, in.Vendor, in.Product)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", in, err))
			continue
		}
		r, err := ccid.NewReader(dev)
		if err != nil {
			dev.Close()
			errs = append(errs, fmt.Errorf("%s: %w", in, err))
			continue
		}
		out = append(out, &ccidReader{name: in.String(), r: r, close: func() { r.Close() }})
	}
	if len(out) > 0 {
		// The gousb context lives as long as the readers; the last Close
		// of a diagnostics run releases it with them.
		last := out[len(out)-1].(*ccidReader)
		prev := last.close
		last.close = func() { prev(); uctx.Close() }
	} else {
		uctx.Close()
	}
	return out, errors.Join(errs...)
}

func demoReader() (*ccidReader, error) {
	card, pki, err := chipsim.NewCCCD(chipsim.DemoPerson(), chipsim.Options{Extended: true})
	if err != nil {
		return nil, fmt.Errorf("demo card: %w", err)
	}
	sim := ccidsim.New(card, card.ATR)
	r, err := ccid.NewReader(sim)
	if err != nil {
		return nil, fmt.Errorf("demo reader: %w", err)
	}
	ts, _ := passiveauth.Load()
	ts.AddCertificate(pki.CSCA)
	return &ccidReader{name: "Simulated CCID reader with a synthetic CCCD", r: r, close: func() { r.Close() },
		card: card, trust: ts}, nil
}

func (c *ccidReader) Name() string      { return c.name }
func (c *ccidReader) Transport() string { return "CCID" }
func (c *ccidReader) Simulated() bool   { return c.card != nil }

func (c *ccidReader) CardPresent(ctx context.Context) (bool, error) {
	st, err := c.r.SlotStatus(ctx)
	if err != nil {
		return false, err
	}
	return st != ccid.NoCard, nil
}

func (c *ccidReader) ATR(ctx context.Context) ([]byte, error) { return c.r.PowerOn(ctx) }

func (c *ccidReader) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	return c.r.Transmit(ctx, apdu)
}

func (c *ccidReader) ExtendedLength() bool { return c.r.ExtendedLength() }

// ReaderFacts reports the reader's CCID class descriptor features for diag.
func (c *ccidReader) ReaderFacts() map[string]string {
	d := c.r.Descriptor()
	f := map[string]string{"ccid_features": fmt.Sprintf("0x%08x", d.Features), "extended_length": "no"}
	if c.r.ExtendedLength() {
		f["extended_length"] = "yes"
	}
	return f
}

func (c *ccidReader) Close() error {
	_ = c.r.PowerOff(context.Background())
	c.close()
	return nil
}

// FullRead returns a diag.FullReader that reads the test card completely:
// BAC with the test card's MRZ (the demo card's own key for the
// simulator), EF.COM, DG1, DG2, DG13-15, EF.SOD, passive authentication
// against the CSCAs in csca (files or folders). It reports what was read
// and the verdicts, never the card's personal data.
func FullRead(testMRZ string, csca []string) diag.FullReader {
	return func(ctx context.Context, r diag.CardReader) (map[string]string, error) {
		var key bac.Key
		ts, err := passiveauth.Load(csca...)
		if err != nil {
			return nil, err
		}
		if c, ok := r.(*ccidReader); ok && c.card != nil {
			key, ts = c.card.Key(), c.trust
		} else if testMRZ != "" {
			m, err := mrz.Parse(strings.ReplaceAll(testMRZ, `\n`, "\n"))
			if err != nil {
				return nil, fmt.Errorf("test-card MRZ: %w", err)
			}
			key = bac.KeyFromMRZ(m)
		} else {
			return nil, fmt.Errorf("%w: no test-card MRZ given (station diag -test-mrz)", diag.ErrNotApplicable)
		}
		ext := false
		if e, ok := r.(interface{ ExtendedLength() bool }); ok {
			ext = e.ExtendedLength()
		}
		doc, err := emrtd.Read(ctx, r, key, emrtd.Options{TrustStore: ts, Extended: ext})
		if err != nil {
			return nil, err
		}
		// Summarize masks ID numbers; only file sizes and verdicts are
		// taken from it: a diagnostics report holds no personal data.
		sum := cardtool.Summarize(doc, false)
		facts := map[string]string{"passive_auth": sum.Verdict}
		var files []string
		for name, n := range sum.Files {
			files = append(files, fmt.Sprintf("%s %d B", name, n))
		}
		sort.Strings(files)
		facts["files"] = strings.Join(files, ", ")
		if a := sum.ActiveAuth; a != nil {
			facts["active_auth"] = "passed (" + a.Algorithm + ")"
			if !a.OK {
				facts["active_auth"] = "failed: " + a.Error
			}
		}
		if p := sum.Portrait; p != nil {
			facts["portrait"] = fmt.Sprintf("%s, %d bytes", p.Format, p.Bytes)
			if p.Error != "" {
				facts["portrait"] += ", not decodable: " + p.Error
			}
		}
		if len(sum.Unreadable) > 0 {
			var u []string
			for f, why := range sum.Unreadable {
				u = append(u, f+": "+why)
			}
			sort.Strings(u)
			facts["unreadable"] = strings.Join(u, "; ")
		}
		return facts, nil
	}
}
