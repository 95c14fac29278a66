package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/devices/chip/emrtd"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
	"github.com/dinhdanh/dinhdanh/devices/diag/chipreaders"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// cardReader reads a CCCD through the eMRTD reader (devices/chip/emrtd)
// over any ISO 7816 transport: the chip simulator in demo mode, a PC/SC
// reader when that transport lands.
type cardReader struct {
	// t is a fixed transport (the simulator); open finds one per read
	// (the attached readers) and returns how to release it.
	t     iso7816.Transceiver
	open  func(ctx context.Context) (iso7816.Transceiver, func(), error)
	trust *passiveauth.TrustStore
	// present, when set, is called before each read (the demo lays its
	// simulated card on the reader).
	present func()
}

// attachedReaders finds the first PC/SC or USB CCID reader holding a card.
func attachedReaders(ctx context.Context) (iso7816.Transceiver, func(), error) {
	rs, err := chipreaders.Source{}.Readers(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", workflow.ErrNoDevice, err)
	}
	closeAll := func() {
		for _, r := range rs {
			if c, ok := r.(interface{ Close() error }); ok {
				c.Close()
			}
		}
	}
	if len(rs) == 0 {
		return nil, nil, fmt.Errorf("%w: no card reader attached", workflow.ErrNoDevice)
	}
	for _, r := range rs {
		if ok, err := r.CardPresent(ctx); err == nil && ok {
			return r, closeAll, nil
		}
	}
	closeAll()
	return nil, nil, fmt.Errorf("%w: no card on the reader", workflow.ErrCardRemoved)
}

// ReadCard reads DG1, DG2, DG13 and the SOD with the BAC key, reporting
// progress over every file.
func (c *cardReader) ReadCard(ctx context.Context, key workflow.MRZKey, progress func(done, total int)) (workflow.Card, error) {
	if c.present != nil {
		c.present()
	}
	t := c.t
	if t == nil {
		var release func()
		var err error
		if t, release, err = c.open(ctx); err != nil {
			return workflow.Card{}, err
		}
		defer release()
	}
	var mu sync.Mutex
	files := map[string][2]int{}
	doc, err := emrtd.Read(ctx, t, bac.Key{DocumentNumber: key.DocumentNumber, DateOfBirth: key.BirthDate, DateOfExpiry: key.ExpiryDate},
		emrtd.Options{TrustStore: c.trust, Progress: func(file string, done, total int) {
			mu.Lock()
			files[file] = [2]int{done, total}
			d, n := 0, 0
			for _, f := range files {
				d += f[0]
				n += max(f[1], f[0])
			}
			mu.Unlock()
			progress(d, n)
		}})
	if err != nil {
		return workflow.Card{}, cardError(ctx, err)
	}
	return cardFromDocument(doc)
}

func cardError(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, bac.ErrAccessDenied):
		return fmt.Errorf("%w: %v", workflow.ErrAccessDenied, err)
	case errors.Is(err, iso7816.ErrCardRemoved), errors.Is(err, iso7816.ErrNoCard):
		return fmt.Errorf("%w: %v", workflow.ErrCardRemoved, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %v", workflow.ErrTimeout, err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: %v", workflow.ErrCancelled, err)
	}
	return fmt.Errorf("%w: %v", workflow.ErrDevice, err)
}

// cardFromDocument takes the citizen's data from DG13 (with diacritics)
// and falls back on the MRZ (DG1).
func cardFromDocument(doc *document.Document) (workflow.Card, error) {
	if doc.MRZ == nil {
		return workflow.Card{}, fmt.Errorf("%w: the chip has no DG1", workflow.ErrDevice)
	}
	m := doc.MRZ
	c := workflow.Card{IDNumber: m.IDNumber, Sex: m.Sex, Nationality: m.Nationality, Photo: doc.Portrait, Extra: map[string]string{}}
	c.FullName = strings.TrimSpace(m.Surname + " " + m.GivenNames)
	if d := doc.DG13; d != nil {
		if d.IDNumber != "" {
			c.IDNumber = d.IDNumber
		}
		if d.FullName != "" {
			c.FullName = d.FullName
		}
		if t, err := time.Parse("02/01/2006", d.DateOfBirth); err == nil {
			c.BirthDate = t
		}
		if t, err := time.Parse("02/01/2006", d.DateOfExpiry); err == nil {
			c.Expiry = t
		}
		c.Extra["place_of_origin"] = d.HomeTown
		c.Extra["residence"] = d.PlaceOfResidence
	}
	if c.BirthDate.IsZero() {
		if y, _, err := mrz.BirthCentury(c.IDNumber); err == nil {
			if t, err := time.Parse("060102", m.DateOfBirth); err == nil {
				c.BirthDate = time.Date(y+t.Year()%100, t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			}
		}
	}
	if c.Expiry.IsZero() {
		if t, err := time.Parse("060102", m.DateOfExpiry); err == nil {
			c.Expiry = time.Date(2000+t.Year()%100, t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
	}
	c.PassiveAuthOK = doc.PassiveAuth != nil && doc.PassiveAuth.Passed()
	if doc.PassiveAuth != nil {
		c.PassiveAuthAnchor = doc.PassiveAuth.Anchor
	}
	return c, nil
}
