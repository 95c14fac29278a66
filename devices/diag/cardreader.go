package diag

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// CardReader is what the card-reader self-test needs from a reader. The
// chip area's transports (PC/SC, CCID) satisfy it through a small adapter;
// Transmit has the shape of iso7816.Transceiver.
type CardReader interface {
	// Name is the reader's name (PC/SC reader name or USB product).
	Name() string
	// Transport is "PC/SC" or "CCID".
	Transport() string
	// CardPresent reports whether a card is in the field.
	CardPresent(ctx context.Context) (bool, error)
	// ATR powers the card (if needed) and returns its answer to reset.
	ATR(ctx context.Context) ([]byte, error)
	// Transmit sends one command APDU and returns the response APDU.
	Transmit(ctx context.Context, apdu []byte) ([]byte, error)
	// Simulated marks simulators.
	Simulated() bool
}

// A CardReader may also have a ReaderFacts() map[string]string method
// (e.g. extended-length support, largest APDU); its facts are reported.

// CardReaderSource lists the station's card readers.
type CardReaderSource interface {
	Readers(ctx context.Context) ([]CardReader, error)
}

// FullReader reads a technicians' test card completely (access control,
// data groups, passive authentication) and returns short non-sensitive
// facts (e.g. "dg1": "ok", "sod": "hash ok"). It must not return ID
// numbers or biometrics.
type FullReader func(ctx context.Context, r CardReader) (map[string]string, error)

// ErrNotApplicable is returned (wrapped) by a FullReader that cannot run
// on this reader, e.g. because no test-card MRZ was configured; the test
// is then skipped rather than failed.
var ErrNotApplicable = errors.New("not applicable")

// selectEMRTD is SELECT by AID of the ICAO eMRTD application
// (A0 00 00 02 47 10 01), no response data: every CCCD answers 9000.
var selectEMRTD = []byte{0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// testCardReaders tests every reader: presence, ATR, SELECT of the eMRTD
// application, and a full read of a test card when possible.
func testCardReaders(ctx context.Context, opts Options) []Result {
	if opts.CardReaders == nil {
		return nil
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	readers, err := opts.CardReaders.Readers(lctx)
	cancel()
	if err != nil {
		return []Result{{Device: "cardreaders", Label: "card readers", Kind: "card-reader", Test: "cardreader.list",
			Status: Fail, Message: err.Error()}}
	}
	if len(readers) == 0 {
		return []Result{{Device: "cardreaders", Label: "card readers", Kind: "card-reader", Test: "cardreader.list",
			Status: Fail, Message: "no card reader found: check the cable, and that pcscd is running (systemctl status pcscd)"}}
	}
	var out []Result
	for _, r := range readers {
		out = append(out, testCardReader(ctx, opts, r))
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
	}
	return out
}

func testCardReader(ctx context.Context, opts Options, r CardReader) (res Result) {
	label := r.Name()
	if r.Simulated() {
		label += " [SIMULATED]"
	}
	res = Result{Device: "reader:" + r.Name(), Label: label, Kind: "card-reader", Simulated: r.Simulated(),
		Test: "cardreader.card", Metrics: map[string]float64{}, Facts: map[string]string{"transport": r.Transport()}}
	start := time.Now()
	defer func() { res.DurationMS = since(start) }()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	present, err := r.CardPresent(tctx)
	if err != nil {
		res.Status, res.Message = Fail, "card presence: "+err.Error()
		return res
	}
	res.Facts["card_present"] = fmt.Sprint(present)
	if !present {
		res.Status, res.Message = Skip, "reader answers; no card inserted (insert the test card for the full test)"
		return res
	}
	t0 := time.Now()
	atr, err := r.ATR(tctx)
	if err != nil {
		res.Status, res.Message = Fail, "ATR: "+err.Error()
		return res
	}
	res.Metrics["atr_ms"] = round(since(t0), 1)
	if rf, ok := r.(interface{ ReaderFacts() map[string]string }); ok {
		for k, v := range rf.ReaderFacts() {
			res.Facts[k] = v
		}
	}
	res.Facts["atr"] = strings.ToUpper(hex.EncodeToString(atr))
	t0 = time.Now()
	rsp, err := r.Transmit(tctx, selectEMRTD)
	if err != nil {
		res.Status, res.Message = Fail, "SELECT eMRTD application: "+err.Error()
		return res
	}
	res.Metrics["select_ms"] = round(since(t0), 1)
	if len(rsp) < 2 {
		res.Status, res.Message = Fail, fmt.Sprintf("SELECT eMRTD application: %d-byte response", len(rsp))
		return res
	}
	sw := fmt.Sprintf("%02X%02X", rsp[len(rsp)-2], rsp[len(rsp)-1])
	res.Facts["select_sw"] = sw
	if sw != "9000" {
		res.Status, res.Message = Fail, "the card does not offer the eMRTD application (SW "+sw+"): not a CCCD/passport chip, or a contact problem"
		return res
	}
	if opts.FullRead == nil {
		res.Status, res.Message = Pass, "ATR and eMRTD application OK; full test-card read not available in this build"
		return res
	}
	t0 = time.Now()
	facts, err := opts.FullRead(tctx, r)
	res.Metrics["full_read_ms"] = round(since(t0), 1)
	for k, v := range facts {
		res.Facts["read."+k] = v
	}
	if errors.Is(err, ErrNotApplicable) {
		res.Status, res.Message = Pass, "ATR and eMRTD application OK; full read skipped: "+err.Error()
		return res
	}
	if err != nil {
		res.Status, res.Message = Fail, "full read of the test card: "+err.Error()
		return res
	}
	res.Status, res.Message = Pass, "ATR, eMRTD application and full test-card read OK"
	return res
}
