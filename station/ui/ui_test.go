package ui

import (
	"context"
	"errors"
	"fmt"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/crypto/bcrypt"

	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

func TestMain(m *testing.M) {
	os.Setenv("LANG", "C.UTF-8")
	if err := SetLanguage("vi"); err != nil {
		panic(err)
	}
	shotDir = os.Getenv("DINHDANH_SCREENSHOT_DIR")
	keep := shotDir != ""
	if !keep {
		d, err := os.MkdirTemp("", "dinhdanh-shots-")
		if err != nil {
			panic(err)
		}
		shotDir = d
	} else if err := os.MkdirAll(shotDir, 0o755); err != nil {
		panic(err)
	}
	code := m.Run()
	if !keep {
		os.RemoveAll(shotDir)
	}
	os.Exit(code)
}

// --- test doubles for devices and the application store ---

func face(seed uint8) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{seed, uint8(x / 2), uint8(y), 255})
		}
	}
	return img
}

type card struct{ err error }

func (c *card) ReadCard(ctx context.Context, k workflow.MRZKey, progress func(int, int)) (workflow.Card, error) {
	for i := 0; i <= 10; i++ {
		progress(i, 10)
	}
	if c.err != nil {
		return workflow.Card{}, c.err
	}
	if k.DocumentNumber != "090000123" {
		return workflow.Card{}, fmt.Errorf("BAC: %w", workflow.ErrAccessDenied)
	}
	return workflow.Card{IDNumber: "001090000123", FullName: "NGUYỄN THỊ HOÀNG YẾN", Sex: "F",
		BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), Expiry: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC),
		Photo: face(10), PassiveAuthOK: true, Extra: map[string]string{"place_of_origin": "Xã Đông Hội, huyện Đông Anh, Hà Nội"}}, nil
}

type camera struct{}

func (camera) Frames(ctx context.Context) (<-chan image.Image, error) {
	ch := make(chan image.Image)
	go func() {
		defer close(ch)
		for i := 0; i < 20; i++ {
			select {
			case ch <- face(uint8(i)):
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

type quality struct{}

func (quality) Assess(img image.Image) (workflow.FrameQuality, error) {
	r, _, _, _ := img.At(0, 0).RGBA()
	s := float64(r>>8) / 10
	if s > 1 {
		s = 1
	}
	return workflow.FrameQuality{Found: true, Usable: true, Face: image.Rect(100, 50, 220, 190), Score: s}, nil
}

type scanner struct{}

func (scanner) CaptureFinger(ctx context.Context, p workflow.FingerPosition) (image.Image, error) {
	g := image.NewGray(image.Rect(0, 0, 200, 250))
	for i := range g.Pix {
		g.Pix[i] = uint8(i * int(p))
	}
	return g, nil
}

func (scanner) FingerQuality(img image.Image) (int, error) { return 75, nil }

type matcher struct{ chip workflow.Score }

func (m matcher) FaceChip(ctx context.Context, a, b image.Image) (workflow.Score, error) {
	return m.chip, nil
}
func (matcher) FaceCache(ctx context.Context, id string, a image.Image) (workflow.Score, error) {
	return workflow.Score{Value: 0.7, Threshold: 0.5, Match: true}, nil
}
func (matcher) FingerCache(ctx context.Context, id string, f []workflow.FingerCapture) (workflow.Score, error) {
	return workflow.Score{Value: 120, Threshold: 40, Match: true}, nil
}
func (matcher) Search(ctx context.Context, a image.Image, f []workflow.FingerCapture, k int) ([]workflow.Candidate, error) {
	return []workflow.Candidate{{IDNumber: "001090000123", Modality: "face", Score: workflow.Score{Value: 0.7, Threshold: 0.5, Match: true}}}, nil
}

type apps struct {
	mu    sync.Mutex
	rows  []Row
	regs  map[string]*workflow.Registration
	fail  error
	state map[string]string
}

func (a *apps) Submit(ctx context.Context, r *workflow.Registration, officer, role string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return "", a.fail
	}
	id := fmt.Sprintf("0000000%d-aaaa-4bbb-8ccc-dddddddddddd", len(a.rows)+1)
	a.rows = append(a.rows, Row{ID: id, State: "verified", IDMasked: idnum.Mask(r.Card.IDNumber), Officer: officer, CreatedAt: time.Now()})
	if a.regs == nil {
		a.regs = map[string]*workflow.Registration{}
	}
	a.regs[id] = r
	return id, nil
}

func (a *apps) PendingCount(ctx context.Context) (int, error) {
	c, _ := a.Counts(ctx)
	return c["verified"], nil
}

func (a *apps) List(ctx context.Context, state string, limit int) ([]Row, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Row
	for _, r := range a.rows {
		if state == "" || r.State == state {
			out = append(out, r)
		}
	}
	return out, nil
}

func (a *apps) Counts(ctx context.Context) (map[string]int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := map[string]int{}
	for _, r := range a.rows {
		c[r.State]++
	}
	return c, nil
}

func (a *apps) Detail(ctx context.Context, v auth.User, id string) (*Detail, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.regs[id]
	if r == nil {
		return nil, errors.New("not found")
	}
	var row Row
	for _, x := range a.rows {
		if x.ID == id {
			row = x
		}
	}
	d := &Detail{Row: row, FullName: r.Card.FullName, ChipPhoto: r.Card.Photo, Portrait: r.Portrait.Image, Outcome: string(r.Decision.Outcome), Reasons: r.Decision.Reasons}
	for _, f := range r.Fingers {
		d.Fingers = append(d.Fingers, FingerEvidence{Position: f.Position.String(), Image: f.Image, Quality: float64(f.Quality),
			Minutiae: []Minutia{{X: 50, Y: 60, Angle: 0.5}, {X: 120, Y: 140, Angle: 2}}})
	}
	d.Checks = []Check{{Name: "chip_face", Score: 0.8, Threshold: 0.5, Passed: true}}
	return d, nil
}

func (a *apps) set(id, state string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range a.rows {
		if a.rows[i].ID == id {
			a.rows[i].State = state
			return nil
		}
	}
	return errors.New("not found")
}

func (a *apps) Approve(ctx context.Context, s auth.User, id, reason string) error {
	return a.set(id, "approved")
}
func (a *apps) Reject(ctx context.Context, s auth.User, id, reason string) error {
	return a.set(id, "rejected")
}

// --- harness ---

type harness struct {
	t   *testing.T
	u   *UI
	w   fyne.Window
	db  *store.DB
	app *apps
	now time.Time
}

func newHarness(t *testing.T, setup bool) *harness {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := test.NewApp()
	t.Cleanup(a.Quit)
	w := a.NewWindow("")
	w.Resize(fyne.NewSize(1280, 800))
	h := &harness{t: t, w: w, db: db, app: &apps{}, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local)}
	users := &auth.Users{DB: db, Cost: bcrypt.MinCost}
	if setup {
		if err := users.RunSetup(ctx, auth.Setup{StationID: "HN-BD-01", Office: "Công an phường Ba Đình", Supervisor: auth.User{Name: "giamsat", FullName: "Trần Văn Giám"}, Password: "giamsat2026"}, nil); err != nil {
			t.Fatal(err)
		}
		if err := users.Create(ctx, "giamsat", auth.User{Name: "canbo", FullName: "Lê Thị Cán", Role: auth.Officer}, "canbo20261"); err != nil {
			t.Fatal(err)
		}
	}
	d := Deps{DB: db, Users: users, Apps: h.app, StationID: "HN-BD-01", Office: "Công an phường Ba Đình", PendingLimit: 3,
		ReceiptDir: t.TempDir(), Now: func() time.Time { return h.now }, IdleCheck: -1, Inline: true,
		Devices: workflow.Devices{Card: &card{}, Camera: camera{}, FaceQuality: quality{}, Scanner: scanner{}, FingerQuality: scanner{},
			Matcher: matcher{chip: workflow.Score{Value: 0.8, Threshold: 0.5, Match: true}}},
	}
	h.u = New(ctx, a, w, d)
	h.u.Start()
	return h
}

func (h *harness) login(name, pw string) {
	h.t.Helper()
	if h.u.Screen() != "login" {
		h.t.Fatalf("screen %s, want login", h.u.Screen())
	}
	v := h.u.loginV
	test.Type(v.name, name)
	test.Type(v.password, pw)
	test.Tap(v.submit)
	if h.u.Screen() != "home" {
		h.t.Fatalf("after log-in: screen %s, status %q", h.u.Screen(), v.status.Text)
	}
}

func (h *harness) expect(screen string) {
	h.t.Helper()
	h.u.Wait()
	if got := h.u.Screen(); got != screen {
		msg := ""
		if h.u.reg != nil && h.u.reg.message != nil {
			msg = h.u.reg.message.Text
		}
		h.t.Fatalf("screen %s, want %s (message %q)", got, screen, msg)
	}
}

// shotDir receives the screenshots: $DINHDANH_SCREENSHOT_DIR, kept, or a
// temporary folder removed after the run.
var shotDir string

func (h *harness) shot(name string) {
	h.t.Helper()
	dir := shotDir
	img := h.w.Canvas().Capture()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		h.t.Fatal(err)
	}
}

// register walks a whole registration through the screens.
func (h *harness) register(shots bool) string {
	h.t.Helper()
	u := h.u
	test.Tap(u.homeV.newReg)
	h.expect("reg.card")
	r := u.reg
	test.Type(r.idNumber, "001090000123")
	test.Type(r.birth, "02/01/1990")
	test.Type(r.expiry, "02/01/2030")
	if shots {
		h.shot("03-card")
	}
	test.Tap(r.read)
	h.expect("reg.card_data")
	if r.progress.Value != 1 {
		h.t.Errorf("progress %v after read", r.progress.Value)
	}
	if shots {
		h.shot("04-card-data")
	}
	test.Tap(r.confirm)
	h.expect("reg.consent")
	if shots {
		h.shot("05-consent")
	}
	test.Tap(r.agree)
	h.expect("reg.portrait")
	test.Tap(r.capture)
	h.expect("reg.fingers")
	if shots {
		h.shot("06-fingers")
	}
	for _, p := range r.s.Reg.Policy.Fingers {
		test.Tap(r.fingerRows[p].scan)
		h.u.Wait()
	}
	test.Tap(r.fingersDone)
	h.expect("reg.match")
	test.Tap(r.runMatch)
	h.expect("reg.contact")
	test.Type(r.phone, "0912 345 678")
	r.docs.SetSelected([]string{T("doc.passport")})
	test.Tap(r.contactDone)
	h.expect("reg.review")
	if shots {
		h.shot("07-review")
	}
	test.Tap(r.submit)
	h.expect("reg.done")
	if shots {
		h.shot("08-done")
	}
	return r.s.Reg.ApplicationID
}

// --- tests ---

func TestFirstRunSetup(t *testing.T) {
	h := newHarness(t, false)
	if h.u.Screen() != "setup" {
		t.Fatalf("screen %s, want setup", h.u.Screen())
	}
	v := h.u.setupV
	v.stationID.SetText("")
	test.Type(v.stationID, "hn-bd-02")
	test.Type(v.name, "truong")
	test.Type(v.fullName, "Trần Văn Trưởng")
	test.Type(v.password, "matkhau2026")
	test.Type(v.password2, "khac2026khac")
	test.Tap(v.submit)
	if h.u.Screen() != "setup" || !strings.Contains(v.status.Text, T("setup.mismatch")) {
		t.Fatalf("mismatched passwords: %s %q", h.u.Screen(), v.status.Text)
	}
	v.password2.SetText("matkhau2026")
	test.Tap(v.submit)
	if h.u.Screen() != "login" {
		t.Fatalf("after set-up: %s, status %q", h.u.Screen(), v.status.Text)
	}
	if h.u.loginV.name.Text != "truong" {
		t.Errorf("login name prefilled %q", h.u.loginV.name.Text)
	}
	test.Type(h.u.loginV.password, "matkhau2026")
	test.Tap(h.u.loginV.submit)
	if h.u.Screen() != "home" || h.u.User().Role != auth.Supervisor {
		t.Fatalf("first supervisor log-in: %s %+v", h.u.Screen(), h.u.User())
	}
}

func TestLoginErrorsAndLockout(t *testing.T) {
	h := newHarness(t, true)
	v := h.u.loginV
	for i := 0; i < 5; i++ {
		v.name.SetText("canbo")
		v.password.SetText("sai-mat-khau-1")
		test.Tap(v.submit)
	}
	if h.u.Screen() != "login" || !strings.Contains(v.status.Text, T("err.locked")) {
		t.Fatalf("after 5 failures: %q", v.status.Text)
	}
	if v.password.Text != "" {
		t.Error("password left in the entry")
	}
}

func TestRegistrationApprovalAndQueue(t *testing.T) {
	h := newHarness(t, true)
	h.shot("01-login")
	h.login("canbo", "canbo20261")
	h.shot("02-home")
	if h.u.homeV.approvals != nil && h.u.allowed("application.approve") {
		t.Error("officer may approve")
	}
	id := h.register(true)
	if id == "" || !strings.Contains(h.u.reg.receiptPath, "receipt-") {
		t.Fatalf("id %q receipt %q", id, h.u.reg.receiptPath)
	}
	if st, err := os.Stat(h.u.reg.receiptPath); err != nil || st.Size() < 1000 {
		t.Fatalf("receipt file: %v", err)
	}
	// The officer cannot open approvals.
	h.u.showApprovals()
	if h.u.Screen() == "approvals" {
		t.Fatal("officer reached approvals")
	}
	h.u.showQueue()
	h.expect("queue")
	if len(h.u.queueV.rows) != 1 || h.u.queueV.rows[0].State != "verified" {
		t.Fatalf("queue rows %+v", h.u.queueV.rows)
	}
	h.shot("09-queue")
	h.u.logout()
	h.expect("login")

	h.login("giamsat", "giamsat2026")
	h.u.showApprovals()
	h.expect("approvals")
	v := h.u.approvV
	if len(v.rows) != 1 {
		t.Fatalf("%d pending", len(v.rows))
	}
	v.list.Select(0)
	h.shot("10-approvals")
	// Reject without a reason is refused.
	v.supPass.SetText("giamsat2026")
	test.Tap(v.reject)
	if h.app.rows[0].State != "verified" {
		t.Fatal("rejected without a reason")
	}
	// Approval needs the supervisor's own password.
	v.supPass.SetText("wrong-password-1")
	test.Tap(v.approve)
	if h.app.rows[0].State != "verified" || !strings.Contains(v.status.Text, T("err.bad_credentials")) {
		t.Fatalf("approved with a wrong password: %q", v.status.Text)
	}
	v.supPass.SetText("giamsat2026")
	test.Tap(v.approve)
	if h.app.rows[0].State != "approved" {
		t.Fatalf("not approved: %q", v.status.Text)
	}
}

func TestEnglish(t *testing.T) {
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	defer SetLanguage("vi")
	h := newHarness(t, true)
	if h.u.loginV.submit.Text != "Log in" {
		t.Fatalf("English log-in button %q", h.u.loginV.submit.Text)
	}
	h.login("canbo", "canbo20261")
	h.shot("en-02-home")
	h.register(false)
	h.shot("en-08-done")
}

func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t, true)
	if h.u.loginV.submit.Text != "Đăng nhập" {
		t.Fatalf("default language: %q", h.u.loginV.submit.Text)
	}
	h.u.langSelect(h.u.showLogin).SetSelected("English")
	defer SetLanguage("vi")
	if h.u.loginV.submit.Text != "Log in" {
		t.Fatalf("after switch: %q", h.u.loginV.submit.Text)
	}
}

func TestWrongMRZAndRetryKeepCaptures(t *testing.T) {
	h := newHarness(t, true)
	h.login("canbo", "canbo20261")
	test.Tap(h.u.homeV.newReg)
	r := h.u.reg
	// A typing slip is caught before the chip.
	test.Type(r.idNumber, "00109000012")
	test.Type(r.birth, "02/01/1990")
	test.Type(r.expiry, "02/01/2030")
	test.Tap(r.read)
	h.expect("reg.card")
	if !strings.Contains(r.message.Text, T("err.bad_mrz")) || !strings.Contains(r.message.Text, T("next.bad_mrz")) {
		t.Fatalf("bad MRZ message %q", r.message.Text)
	}
	// A number the chip refuses.
	r.idNumber.SetText("001090000124")
	test.Tap(r.read)
	h.expect("reg.card")
	if !strings.Contains(r.message.Text, T("err.access_denied")) {
		t.Fatalf("BAC refusal message %q", r.message.Text)
	}
	r.idNumber.SetText("001090000123")
	test.Tap(r.read)
	h.expect("reg.card_data")
	test.Tap(r.confirm)
	test.Tap(r.agree)
	test.Tap(r.capture)
	h.expect("reg.fingers")
	// Device missing at the fingerprint step: clear message, nothing lost.
	r.s.Devices.Scanner = nil
	test.Tap(r.fingerRows[workflow.RightIndex].scan)
	h.expect("reg.fingers")
	if !strings.Contains(r.message.Text, T("err.no_device")) {
		t.Fatalf("no scanner message %q", r.message.Text)
	}
	// Go back to the portrait from the step list, then resume.
	test.Tap(r.steps[3])
	h.expect("reg.portrait")
	if r.s.Reg.Card == nil || r.s.Reg.Consent == nil || r.s.Reg.Portrait == nil {
		t.Fatal("going back lost captures")
	}
	test.Tap(r.capture)
	h.expect("reg.fingers")
	// Idle logout keeps the registration for the officer's next log-in.
	h.now = h.now.Add(10 * time.Minute)
	h.u.CheckIdle()
	h.expect("login")
	h.login("canbo", "canbo20261")
	if h.u.homeV.resume == nil {
		t.Fatal("no resume button after idle logout")
	}
	test.Tap(h.u.homeV.resume)
	h.expect("reg.fingers")
}

func TestFingerExceptionAndReview(t *testing.T) {
	h := newHarness(t, true)
	h.login("canbo", "canbo20261")
	test.Tap(h.u.homeV.newReg)
	r := h.u.reg
	test.Type(r.idNumber, "001090000123")
	test.Type(r.birth, "02/01/1990")
	test.Type(r.expiry, "02/01/2030")
	test.Tap(r.read)
	h.expect("reg.card_data")
	test.Tap(r.confirm)
	test.Tap(r.agree)
	test.Tap(r.capture)
	h.expect("reg.fingers")
	test.Tap(r.fingerRows[workflow.RightIndex].scan)
	h.u.Wait()
	test.Tap(r.fingersDone)
	if !strings.Contains(r.message.Text, T("err.fingers")) {
		t.Fatalf("incomplete fingers message %q", r.message.Text)
	}
	if err := r.s.MarkFingerMissing(context.Background(), workflow.LeftIndex, "bandaged", face(1)); err != nil {
		t.Fatal(err)
	}
	test.Tap(r.fingersDone)
	h.expect("reg.match")
	test.Tap(r.runMatch)
	h.expect("reg.contact")
	if r.s.Reg.Decision.Outcome != workflow.Review {
		t.Fatalf("decision %s, want review", r.s.Reg.Decision.Outcome)
	}
	test.Type(r.phone, "12345")
	test.Tap(r.contactDone)
	if !strings.Contains(r.message.Text, T("err.bad_contact")) {
		t.Fatalf("bad phone message %q", r.message.Text)
	}
}

func TestChipMismatchRejects(t *testing.T) {
	h := newHarness(t, true)
	h.u.D.Devices.Matcher = matcher{chip: workflow.Score{Value: 0.1, Threshold: 0.5}}
	h.login("canbo", "canbo20261")
	test.Tap(h.u.homeV.newReg)
	r := h.u.reg
	test.Type(r.idNumber, "001090000123")
	test.Type(r.birth, "02/01/1990")
	test.Type(r.expiry, "02/01/2030")
	test.Tap(r.read)
	h.expect("reg.card_data")
	test.Tap(r.confirm)
	test.Tap(r.agree)
	test.Tap(r.capture)
	h.expect("reg.fingers")
	for _, p := range r.s.Reg.Policy.Fingers {
		test.Tap(r.fingerRows[p].scan)
		h.u.Wait()
	}
	test.Tap(r.fingersDone)
	test.Tap(r.runMatch)
	h.expect("reg.match")
	if r.outcome.Text != T("outcome.rejected") {
		t.Fatalf("outcome %q", r.outcome.Text)
	}
	h.shot("11-match-rejected")
	test.Tap(r.cancelReg)
	// The dialog's confirm button is the last button on the overlay.
	ov := h.w.Canvas().Overlays().Top()
	if ov == nil {
		t.Fatal("no cancel dialog")
	}
	if err := r.s.Cancel(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	h.u.showRegistration(r)
	h.expect("reg.cancelled")
}

func TestPendingLimit(t *testing.T) {
	h := newHarness(t, true)
	for i := 0; i < 3; i++ {
		h.app.rows = append(h.app.rows, Row{ID: fmt.Sprint(i), State: "verified", CreatedAt: h.now})
	}
	h.login("canbo", "canbo20261")
	test.Tap(h.u.homeV.newReg)
	if h.u.Screen() != "home" {
		t.Fatalf("new registration above the pending limit: %s", h.u.Screen())
	}
	if !strings.Contains(h.u.homeV.status.Text, T("err.pending_limit")) {
		t.Errorf("home does not warn about the limit: %q", h.u.homeV.status.Text)
	}
}

func TestQueueDeadlines(t *testing.T) {
	h := newHarness(t, true)
	mon := time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local)
	h.app.rows = []Row{
		{ID: "a", State: "uploaded", CreatedAt: mon.AddDate(0, 0, -7)},
		{ID: "b", State: "verified", CreatedAt: mon.AddDate(0, 0, -4)},
		{ID: "c", State: "queued", CreatedAt: mon},
		{ID: "d", State: "accepted", CreatedAt: mon.AddDate(0, 0, -10)},
	}
	h.now = mon
	h.login("canbo", "canbo20261")
	h.u.showQueue()
	if got := h.u.queueV.status.Text; !strings.Contains(got, "4") || !strings.Contains(got, "2") {
		t.Errorf("queue status %q", got)
	}
	notes := map[string]string{}
	for _, r := range h.app.rows {
		notes[r.ID], _ = h.u.deadlineNote(r)
	}
	if !strings.HasPrefix(notes["a"], "QUÁ HẠN") || !strings.HasPrefix(notes["b"], "SẮP HẾT HẠN") || !strings.HasPrefix(notes["c"], "hạn") || notes["d"] != "" {
		t.Errorf("deadline notes %q", notes)
	}
	h.shot("12-queue-deadlines")
}

func TestTranslationsComplete(t *testing.T) {
	// Every key in one language is in the other, and every key the code
	// uses exists.
	load := func(l string) map[string]string {
		b, err := os.ReadFile(filepath.Join("..", "..", "assets", "i18n", l+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := jsonUnmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	vi, en := load("vi"), load("en")
	for k := range vi {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %s", k)
		}
	}
	for k := range en {
		if _, ok := vi[k]; !ok {
			t.Errorf("vi lacks %s", k)
		}
	}
	var keys []string
	for _, s := range workflow.Steps {
		keys = append(keys, "step."+s.String())
	}
	for p := workflow.RightThumb; p <= workflow.LeftLittle; p++ {
		keys = append(keys, "finger."+p.String())
	}
	for _, d := range workflow.Documents {
		keys = append(keys, "doc."+d)
	}
	for _, s := range States {
		keys = append(keys, "state."+s)
	}
	for _, r := range exceptionReasons {
		keys = append(keys, "finger_reason."+r)
	}
	for _, e := range []error{workflow.ErrBadMRZ, workflow.ErrAccessDenied, workflow.ErrNoDevice, workflow.ErrCardRemoved, workflow.ErrTimeout,
		workflow.ErrDevice, workflow.ErrNoConsent, workflow.ErrLowQuality, workflow.ErrFingers, workflow.ErrBadContact,
		workflow.ErrPendingLimit, workflow.ErrDiskFull, workflow.ErrSync, workflow.ErrNotVerifiable, workflow.ErrCancelled, errors.New("x")} {
		w, n := workflow.Advice(e)
		keys = append(keys, w, n)
	}
	for _, k := range keys {
		if _, ok := vi[k]; !ok {
			t.Errorf("translation key %s missing", k)
		}
	}
	src, _ := filepath.Glob("*.go")
	wsrc, _ := filepath.Glob("../workflow/*.go")
	for _, f := range append(src, wsrc...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			k := m[1]
			if strings.HasSuffix(k, ".") {
				continue
			}
			if _, ok := vi[k]; !ok {
				t.Errorf("%s uses missing key %s", f, k)
			}
		}
	}
}

func TestIdleWarningThenStay(t *testing.T) {
	h := newHarness(t, true)
	h.login("canbo", "canbo20261")
	h.now = h.now.Add(4*time.Minute + 30*time.Second)
	h.u.CheckIdle()
	if h.u.idleDlg == nil || h.w.Canvas().Overlays().Top() == nil {
		t.Fatal("no idle warning 30 s before logout")
	}
	h.shot("13-idle-warning")
	h.u.idleDlg.Hide() // "stay logged in" counts as activity
	h.u.CheckIdle()
	if h.u.Screen() != "home" {
		t.Fatalf("logged out after staying: %s", h.u.Screen())
	}
	h.now = h.now.Add(6 * time.Minute)
	h.u.CheckIdle()
	if h.u.Screen() != "login" || h.w.Canvas().Overlays().Top() != nil {
		t.Fatalf("after idle timeout: %s", h.u.Screen())
	}
}

func TestConsentFormAndKeyboard(t *testing.T) {
	h := newHarness(t, true)
	// Log in with the keyboard only: type, Enter moves to the password,
	// Enter logs in.
	c := h.w.Canvas()
	if c.Focused() != h.u.loginV.name {
		t.Fatalf("focus starts on %v", c.Focused())
	}
	test.Type(h.u.loginV.name, "canbo")
	h.u.loginV.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if c.Focused() != h.u.loginV.password {
		t.Fatal("Enter on the name does not move to the password")
	}
	test.Type(h.u.loginV.password, "canbo20261")
	h.u.loginV.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.expect("home")
	test.Tap(h.u.homeV.newReg)
	r := h.u.reg
	if c.Focused() != r.idNumber {
		t.Fatal("card step does not focus the ID number")
	}
	test.Type(r.idNumber, "001090000123")
	test.FocusNext(c)
	test.Type(c.Focused(), "02/01/1990")
	test.FocusNext(c)
	test.Type(c.Focused(), "02/01/2030")
	r.expiry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.expect("reg.card_data")
	if c.Focused() != r.confirm {
		t.Fatal("card data does not focus Confirm")
	}
	c.Focused().(fyne.Focusable).TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	h.expect("reg.consent")
	test.Tap(r.print)
	if !strings.Contains(r.message.Text, ".pdf") {
		t.Fatalf("consent form not written: %q", r.message.Text)
	}
}

func TestScannedZone(t *testing.T) {
	zone, err := mrz.BuildTD1("001090000123", "900102", "F", "300102", "NGUYEN", "THI HOANG YEN")
	if err != nil {
		t.Fatal(err)
	}
	k, err := cardKey("", "", "", zone)
	if err != nil || k.DocumentNumber != "090000123" || k.BirthDate != "900102" || k.ExpiryDate != "300102" {
		t.Fatalf("cardKey(zone) = %+v, %v", k, err)
	}
	if _, err := cardKey("079190000456", "", "", zone); !errors.Is(err, workflow.ErrBadMRZ) {
		t.Fatalf("typed ID differing from the zone: %v", err)
	}
	bad := strings.Replace(zone, "900102", "900103", 1) // breaks a check digit
	if _, err := cardKey("", "", "", bad); !errors.Is(err, workflow.ErrBadMRZ) {
		t.Fatalf("bad check digit: %v", err)
	}
	// Through the screen: the zone alone reads the card.
	h := newHarness(t, true)
	h.login("canbo", "canbo20261")
	test.Tap(h.u.homeV.newReg)
	r := h.u.reg
	r.zone.SetText(zone)
	test.Tap(r.read)
	h.expect("reg.card_data")
}

func TestUserAccounts(t *testing.T) {
	h := newHarness(t, true)
	h.login("giamsat", "giamsat2026")
	test.Tap(h.u.homeV.users)
	h.expect("users")
	v := h.u.usersV
	if len(v.users) != 2 {
		t.Fatalf("%d users listed", len(v.users))
	}
	test.Type(v.name, "canbo2")
	test.Type(v.fullName, "Võ Thị Hai")
	v.role.SetSelectedIndex(0)
	test.Type(v.pw, "matkhau2026x")
	test.Type(v.pw2, "matkhau2026x")
	test.Tap(v.add)
	if len(v.users) != 3 {
		t.Fatalf("after add: %d users, status %q", len(v.users), v.status.Text)
	}
	h.shot("14-users")
	// Disable the new officer: they can no longer log in.
	for i, usr := range v.users {
		if usr.Name == "canbo2" {
			v.list.Select(i)
		}
	}
	test.Tap(v.toggle)
	if _, err := h.u.D.Users.Login(context.Background(), "canbo2", "matkhau2026x"); !errors.Is(err, auth.ErrDisabled) {
		t.Fatalf("disabled officer logged in: %v", err)
	}
	// An officer has no access to the accounts screen.
	h.u.logout()
	h.login("canbo", "canbo20261")
	if h.u.homeV.users != nil {
		t.Error("officer sees the accounts button")
	}
	h.u.showUsers()
	if h.u.Screen() == "users" {
		t.Fatal("officer reached the accounts screen")
	}
}

func TestTechnicianDiagnostics(t *testing.T) {
	h := newHarness(t, true)
	if err := h.u.D.Users.Create(context.Background(), "giamsat", auth.User{Name: "kythuat", FullName: "Phạm Văn Kỹ", Role: auth.Technician}, "kythuat2026"); err != nil {
		t.Fatal(err)
	}
	called := false
	h.u.D.Diagnostics = func(w fyne.Window) fyne.CanvasObject {
		called = true
		return widget.NewLabel("diagnostics")
	}
	h.login("kythuat", "kythuat2026")
	if h.u.homeV.resume != nil || h.u.homeV.diag == nil {
		t.Fatal("technician home")
	}
	// No citizen data for technicians.
	h.u.newRegistration()
	h.u.showQueue()
	h.u.showApprovals()
	if s := h.u.Screen(); s != "home" {
		t.Fatalf("technician reached %s", s)
	}
	test.Tap(h.u.homeV.diag)
	if h.u.Screen() != "diagnostics" || !called {
		t.Fatalf("diagnostics: %s %v", h.u.Screen(), called)
	}
}

type darkQuality struct{}

func (darkQuality) Assess(img image.Image) (workflow.FrameQuality, error) {
	return workflow.FrameQuality{Found: true, Face: image.Rect(100, 50, 220, 190), Score: 0.35, Problems: []string{"quality.too_dark", "quality.not_frontal"}}, nil
}

func TestPortraitQualityOverlay(t *testing.T) {
	h := newHarness(t, true)
	h.u.D.Devices.FaceQuality = darkQuality{}
	h.login("canbo", "canbo20261")
	test.Tap(h.u.homeV.newReg)
	r := h.u.reg
	test.Type(r.idNumber, "001090000123")
	test.Type(r.birth, "02/01/1990")
	test.Type(r.expiry, "02/01/2030")
	test.Tap(r.read)
	test.Tap(r.confirm)
	test.Tap(r.agree)
	h.expect("reg.portrait")
	test.Tap(r.capture)
	h.expect("reg.portrait")
	if !strings.Contains(r.message.Text, T("err.low_quality")) || r.quality.Value != 0.35 {
		t.Fatalf("dark frames: message %q quality %v", r.message.Text, r.quality.Value)
	}
	h.shot("06a-portrait-overlay")
	if r.s.Reg.Card == nil || r.s.Reg.Consent == nil {
		t.Fatal("failed capture lost earlier steps")
	}
}
