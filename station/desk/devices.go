package desk

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // the demo portrait
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/dinhdanh/dinhdanh/devices/camera"
	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/devices/chip/passiveauth"
	"github.com/dinhdanh/dinhdanh/devices/diag"
	"github.com/dinhdanh/dinhdanh/devices/diag/chipreaders"
	"github.com/dinhdanh/dinhdanh/devices/diag/diagui"
	"github.com/dinhdanh/dinhdanh/devices/finger"
	"github.com/dinhdanh/dinhdanh/devices/finger/uru4000"
	"github.com/dinhdanh/dinhdanh/devices/registry"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/face"
	"github.com/dinhdanh/dinhdanh/station/appstore"
	"github.com/dinhdanh/dinhdanh/station/config"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/matching"
	"github.com/dinhdanh/dinhdanh/station/ui"
	"github.com/dinhdanh/dinhdanh/station/workflow"
	"github.com/dinhdanh/dinhdanh/sync/cache"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

// DemoCitizens is how many synthetic citizens demo mode puts in an empty
// template cache, so the 1:N search has something to search.
const DemoCitizens = 2000

// demoPortrait is the shared photo the demo card carries and the demo
// camera shows: one the face engine accepts under the live policy.
const demoPortrait = "chaeyeon2.jpg"

func loadDemoPortrait() ([]byte, image.Image) {
	d, err := shared.Dir()
	if err != nil {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(d, "data", "faces", "idols", demoPortrait))
	if err != nil {
		return nil, nil
	}
	f, err := os.Open(filepath.Join(d, "data", "faces", "idols", demoPortrait))
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, nil
	}
	return b, img
}

// wireDevices fills d.Deps.Devices from the device and engine areas
// according to cfg.Devices (auto, sim, real) and cfg.Demo, and returns what
// it could not wire.
func wireDevices(ctx context.Context, cfg *config.Config, d *Desk, kr *keys.Keyring, kf *keys.File) (missing []string) {
	dev := &d.Deps.Devices
	sim := cfg.Devices == "sim" || cfg.Demo
	portraitJPEG, portrait := loadDemoPortrait()

	// Card: the CCCD simulator in demo mode; a real reader needs the PC/SC
	// transport of the chip area, not wired yet.
	if sim {
		p := chipsim.DemoPerson()
		if portraitJPEG != nil {
			if b, err := chipsim.ChipPortrait(portraitJPEG); err == nil {
				p.Portrait = b
			}
		}
		card, pki, err := chipsim.NewCCCD(p, chipsim.Options{})
		if err != nil {
			missing = append(missing, "card simulator: "+err.Error())
		} else {
			ts := &passiveauth.TrustStore{}
			if err := ts.Add(pki.CSCADER); err != nil {
				missing = append(missing, "card simulator trust: "+err.Error())
			}
			dev.Card = &cardReader{t: card, trust: ts, present: card.Insert}
			d.DemoCard = fmt.Sprintf("%s, %s/%s/19%s, %s/%s/20%s", p.IDNumber, p.DateOfBirth[4:], p.DateOfBirth[2:4], p.DateOfBirth[:2],
				p.DateOfExpiry[4:], p.DateOfExpiry[2:4], p.DateOfExpiry[:2])
		}
	}
	if dev.Card == nil && cfg.Devices != "sim" {
		// Attached PC/SC or USB CCID readers, found at each read, with
		// passive authentication anchored on the configured CSCA
		// certificates (setting csca). Without any, it checks the hashes
		// and signature but cannot anchor them: "not verified".
		ts, err := cscaTrust(cfg)
		if err != nil {
			missing = append(missing, "CSCA trust store: "+err.Error())
		} else if ts.Len() == 0 {
			missing = append(missing, "CSCA trust store for passive authentication of real cards (setting csca)")
		}
		dev.Card = &cardReader{open: attachedReaders, trust: ts}
	}
	if dev.Card == nil {
		missing = append(missing, "card reader")
	}

	// Camera and scanner: the device registry, with its simulators for
	// kinds not attached in demo/sim mode.
	var bus usbdev.Bus
	if cfg.Devices != "sim" {
		h := usbdev.NewHost()
		bus = h
		d.closers = append(d.closers, h.Close)
	}
	reg := registry.New(registry.Options{USB: bus, Demo: sim || cfg.Devices == "auto"})
	if _, err := reg.Scan(ctx); err != nil {
		missing = append(missing, "device scan: "+err.Error())
	}
	d.Deps.Diagnostics = func(w fyne.Window) fyne.CanvasObject {
		return diagui.New(diagui.Options{Diag: diag.Options{Registry: reg, CardReaders: chipreaders.Source{Demo: sim}, Demo: sim, Recorder: d.Audit}}).Object()
	}
	if e, ok := reg.Default(registry.Camera); ok {
		var src camera.Source
		var err error
		if e.Simulated && portrait != nil {
			// The photo's own aspect: a centre crop to 4:3 would cut the
			// face of a portrait-format photo.
			w, h := portrait.Bounds().Dx(), portrait.Bounds().Dy()
			for w > 960 || h > 960 {
				w, h = w*3/4, h*3/4
			}
			src = camera.Synthetic(w, h, 15, []image.Image{portrait})
		} else {
			src, err = reg.OpenCamera(e, 640, 480, 15)
		}
		if err != nil {
			missing = append(missing, "camera: "+err.Error())
		} else {
			dev.Camera = &cameraAdapter{src: src}
		}
	} else {
		missing = append(missing, "camera (none attached)")
	}
	if e, ok := reg.Default(registry.Scanner); ok {
		dev.Scanner = &scannerAdapter{reg: reg, entry: e, sim: reg.SimScanner()}
	} else {
		missing = append(missing, "fingerprint scanner (none attached)")
	}

	// Face and fingerprint engines over the citizen cache.
	cc := cache.New(d.DB, kr, kf.LookupKey())
	filled := false
	if cfg.Demo {
		if n, err := cc.Count(ctx); err == nil && n == 0 {
			if _, err := cc.FillSynthetic(ctx, DemoCitizens, 1, matching.RandomTemplates()); err != nil {
				missing = append(missing, "demo cache: "+err.Error())
			} else {
				filled = true
			}
		}
	}
	fm := matching.NewFingers(cc)
	var fe *matching.Face
	rec, err := face.NewRecognizer(face.Options{ModelDir: cfg.ModelDir})
	if err != nil {
		missing = append(missing, "face engine: "+err.Error())
	} else {
		d.closers = append(d.closers, func() error { rec.Close(); return nil })
		m, err := face.DefaultMatcher()
		if err != nil {
			missing = append(missing, "face matcher: "+err.Error())
		} else {
			fe = matching.NewFace(rec, m, cc)
		}
	}
	if cfg.Demo && (filled || demoCitizenLacksFingers(ctx, cc)) {
		if err := enrolDemoCitizen(ctx, cc, fe, fm.Finger, portrait); err != nil {
			missing = append(missing, "demo citizen in the cache: "+err.Error())
		}
	}
	if fe != nil {
		if _, err := fe.BuildIndex(ctx); err != nil {
			missing = append(missing, "face 1:N index: "+err.Error())
		}
		dev.FaceQuality = fe
	}
	// The finger 1:N index is built here, once: a sync that changes the
	// cache while the app runs is searched from the next start.
	if _, skipped, err := fm.BuildIndex(ctx); err != nil {
		missing = append(missing, "finger 1:N index: "+err.Error())
	} else if skipped > 0 {
		missing = append(missing, fmt.Sprintf("finger 1:N index: %d cached templates not in the engine's format", skipped))
	}
	dev.Matcher = matching.Matcher{Face: fe, Fingers: fm}
	// Fingerprint quality and the minutiae the supervisor sees.
	fq := fm.Finger
	dev.FingerQuality = fq
	if st, ok := d.Deps.Apps.(*appstore.Store); ok {
		st.Minutiae = func(img image.Image) []ui.Minutia {
			var out []ui.Minutia
			for _, m := range fq.Minutiae(img) {
				out = append(out, ui.Minutia{X: m.X, Y: m.Y, Angle: m.Angle})
			}
			return out
		}
	}
	return missing
}

// cscaTrust loads the CSCA certificates cfg names; a store that cannot be
// loaded is reported and left empty, so cards still read (unverified).
func cscaTrust(cfg *config.Config) (*passiveauth.TrustStore, error) {
	paths := cfg.CSCAPaths()
	if len(paths) == 0 {
		return &passiveauth.TrustStore{}, nil
	}
	ts, err := passiveauth.Load(paths...)
	if err != nil {
		return &passiveauth.TrustStore{}, err
	}
	return ts, nil
}

// cameraAdapter turns a device camera source into the workflow's frame
// stream, one capture at a time.
type cameraAdapter struct {
	mu  sync.Mutex
	src camera.Source
}

func (c *cameraAdapter) Frames(ctx context.Context) (<-chan image.Image, error) {
	c.mu.Lock()
	if err := c.src.Open(); err != nil {
		c.mu.Unlock()
		return nil, fmt.Errorf("%w: %v", workflow.ErrNoDevice, err)
	}
	out := make(chan image.Image)
	go func() {
		defer c.mu.Unlock()
		defer c.src.Close()
		defer close(out)
		in := c.src.Frames()
		for {
			select {
			case f, ok := <-in:
				if !ok {
					return
				}
				select {
				case out <- f.Image:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// scannerAdapter opens the scanner at first use and captures one finger.
// In demo mode it lays the simulator's finger on the platen for the
// capture.
type scannerAdapter struct {
	reg   *registry.Registry
	entry registry.Entry
	sim   *uru4000.Sim

	mu sync.Mutex
	s  finger.Scanner
}

func (a *scannerAdapter) CaptureFinger(ctx context.Context, pos workflow.FingerPosition) (image.Image, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.s == nil {
		s, err := a.reg.OpenScanner(ctx, a.entry)
		if err != nil {
			return nil, scannerError(err)
		}
		a.s = s
	}
	if a.sim != nil {
		a.sim.PlaceFinger()
		defer a.sim.LiftFinger()
	}
	img, err := a.s.Capture(ctx, finger.CaptureOptions{})
	if err != nil {
		if errors.Is(err, finger.ErrDisconnected) || errors.Is(err, finger.ErrFaulty) {
			a.s.Close()
			a.s = nil
		}
		return nil, scannerError(err)
	}
	return img.Gray, nil
}

func scannerError(err error) error {
	switch {
	case errors.Is(err, finger.ErrTimeout):
		return fmt.Errorf("%w: %v", workflow.ErrTimeout, err)
	case errors.Is(err, finger.ErrCancelled):
		return fmt.Errorf("%w: %v", workflow.ErrCancelled, err)
	case errors.Is(err, finger.ErrDisconnected):
		return fmt.Errorf("%w: %v", workflow.ErrNoDevice, err)
	}
	return fmt.Errorf("%w: %v", workflow.ErrDevice, err)
}

// demoFingers are the demo card holder's cached finger templates: the
// simulated scanner serves the eight impressions of FVC2002 DB1 finger 101
// (cropped to 384×290), so the holder is enrolled from full impressions 4
// (right index) and 7 (left index), as upstream would hold them from an
// earlier enrolment. Without the shared data the scanner serves synthetic
// ridge patterns; the holder then gets shifted copies of the first two.
func demoFingers(f matching.Finger) (map[string][]byte, error) {
	imgs, src := finger.SimImages(8)
	var r2, l2 image.Image
	if strings.HasPrefix(src, "shared ") && len(imgs) >= 7 {
		r2, l2 = imgs[3], imgs[6]
	} else if len(imgs) >= 2 {
		shift := func(g *image.Gray) image.Image {
			b := g.Bounds()
			return g.SubImage(image.Rect(b.Min.X+12, b.Min.Y+8, b.Max.X, b.Max.Y))
		}
		r2, l2 = shift(imgs[0]), shift(imgs[1])
	} else {
		return nil, errors.New("no simulator images")
	}
	out := map[string][]byte{}
	for pos, img := range map[string]image.Image{"R2": r2, "L2": l2} {
		t, err := f.Template(img)
		if err != nil {
			return nil, fmt.Errorf("demo finger %s (%s): %w", pos, src, err)
		}
		out[pos] = t
	}
	return out, nil
}

// demoCitizenLacksFingers reports whether a demo database made before the
// fingerprint matcher was wired holds the card holder without fingers.
func demoCitizenLacksFingers(ctx context.Context, cc *cache.Cache) bool {
	z, err := cc.Lookup(ctx, chipsim.DemoPerson().IDNumber)
	return err == nil && len(z.Fingers) == 0
}

// enrolDemoCitizen puts the demo card's holder in the template cache, as
// upstream's delta would: the face descriptor of the demo photo (when the
// face engine and photo are there) and real finger templates.
func enrolDemoCitizen(ctx context.Context, cc *cache.Cache, f *matching.Face, ff matching.Finger, photo image.Image) error {
	var faceBytes []byte
	if f != nil && photo != nil {
		desc, err := f.Descriptor(photo)
		if err != nil {
			return err
		}
		for _, v := range desc {
			faceBytes = binary.LittleEndian.AppendUint32(faceBytes, math.Float32bits(v))
		}
	}
	fingers, err := demoFingers(ff)
	if err != nil {
		return err
	}
	ver, err := cc.Version(ctx)
	if err != nil {
		return err
	}
	p := chipsim.DemoPerson()
	z := protocol.Citizen{IDNumber: p.IDNumber, Version: ver + 1, Source: "demo",
		Card: protocol.Card{IDNumber: p.IDNumber, FullName: p.DG13.FullName, DateOfBirth: "1995-03-15", Sex: p.Sex},
		Face: faceBytes, Fingers: fingers}
	_, err = cc.ApplyDelta(ctx, []*protocol.CachePage{{From: ver, To: ver + 1, IssuedAt: time.Now(), Records: []protocol.Citizen{z}}})
	return err
}
