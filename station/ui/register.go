package ui

import (
	"context"
	"errors"
	"fmt"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"image"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/receipt"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// registration is one registration in progress with its screen's state.
type registration struct {
	s      *workflow.Session
	cancel context.CancelFunc // cancels the device operation running, if any

	// widgets of the step shown, for tests
	idNumber, birth, expiry *widget.Entry
	zone                    *widget.Entry // scanned or typed MRZ lines
	read, stop              *widget.Button
	progress                *widget.ProgressBar
	message                 *widget.Label
	confirm                 *widget.Button
	agree, refuse, print    *widget.Button
	live                    *canvas.Image
	quality                 *widget.ProgressBar
	capture                 *widget.Button
	fingerRows              map[workflow.FingerPosition]*fingerRow
	fingersDone             *widget.Button
	runMatch                *widget.Button
	outcome                 *widget.Label
	phone, email            *widget.Entry
	docs                    *widget.CheckGroup
	contactDone             *widget.Button
	submit                  *widget.Button
	receiptPath             string
	steps                   []*widget.Button
	cancelReg               *widget.Button
	// focus is the widget the step wants the keyboard on.
	focus fyne.Focusable
	main  *fyne.Container
}

type fingerRow struct {
	scan, missing *widget.Button
	choose        *widget.Select
	info          *widget.Label
	img           *canvas.Image
}

func (u *UI) newRegistration() {
	if !u.allowed(access.SubmitApplication) {
		u.showError(fmt.Errorf("registration: %w", access.ErrDenied))
		return
	}
	if u.D.Gate != nil {
		if err := u.D.Gate.RequireIntact(); err != nil {
			u.showHome()
			u.showError(err)
			return
		}
	}
	usr := u.User()
	s := &workflow.Session{Devices: u.D.Devices, Apps: u.D.Apps, Audit: u.D.Audit, Officer: usr.Name, Role: string(usr.Role), PendingLimit: u.D.PendingLimit}
	p := u.D.Policy
	p.Fingers = append([]workflow.FingerPosition(nil), p.Fingers...)
	if err := workflow.Start(u.ctx, s, p); err != nil {
		u.showHome()
		u.showError(err)
		return
	}
	r := &registration{s: s}
	u.mu.Lock()
	u.reg = r
	u.mu.Unlock()
	u.showRegistration(r)
}

// showRegistration draws the current step of r.
func (u *UI) showRegistration(r *registration) {
	u.mu.Lock()
	u.reg = r
	u.mu.Unlock()
	reg := r.s.Reg
	// Not a wrapping label: its height would be measured before its width
	// is known and later lines cut off. fold breaks the lines instead.
	r.message = widget.NewLabel("")
	// The step list: every step reached can be gone back to.
	r.steps = nil
	var stepObjs []fyne.CanvasObject
	for i, st := range workflow.Steps {
		st := st
		label := fmt.Sprintf("%d. %s", i+1, T("step."+st.String()))
		if st < reg.Step() || (st <= reg.Furthest() && st != reg.Step()) {
			label = "✓ " + label
		}
		b := u.button(label, func() {
			if err := r.s.Retry(st); err != nil {
				u.showError(err)
				return
			}
			u.showRegistration(r)
		})
		b.Alignment = widget.ButtonAlignLeading
		if st == reg.Step() {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		if st > reg.Furthest() || reg.Final() || st == workflow.StepDone {
			b.Disable()
		}
		r.steps = append(r.steps, b)
		stepObjs = append(stepObjs, b)
	}
	r.cancelReg = u.button(T("reg.cancel"), func() { u.cancelRegistration(r) })
	r.cancelReg.Importance = widget.DangerImportance
	if reg.Final() {
		r.cancelReg.Disable()
	}
	home := u.button(T("btn.home")+"  (Ctrl+1)", u.showHome)
	left := container.NewVBox(append(stepObjs, widget.NewLabel(""), home, r.cancelReg)...)

	var body fyne.CanvasObject
	r.focus = nil
	switch reg.Step() {
	case workflow.StepCard:
		body = u.stepCard(r)
	case workflow.StepCardData:
		body = u.stepCardData(r)
	case workflow.StepConsent:
		body = u.stepConsent(r)
	case workflow.StepPortrait:
		body = u.stepPortrait(r)
	case workflow.StepFingers:
		body = u.stepFingers(r)
	case workflow.StepMatch:
		body = u.stepMatch(r)
	case workflow.StepContact:
		body = u.stepContact(r)
	case workflow.StepReview:
		body = u.stepReview(r)
	case workflow.StepDone:
		body = u.stepDone(r)
	case workflow.StepCancelled:
		body = container.NewVBox(heading(T("step.cancelled")), wrapped(T("reg.cancelled", "reason", reg.CancelReason)),
			u.primary(T("home.new"), u.newRegistration))
	}
	title := heading(T("step." + reg.Step().String()))
	// Only the long review scrolls: wrapped labels inside a scroll
	// container lose their second lines.
	if reg.Step() == workflow.StepReview {
		body = container.NewVScroll(body)
	}
	main := container.NewBorder(container.NewVBox(title, widget.NewSeparator(), r.message), nil, nil, nil, body)
	r.main = main
	u.show("reg."+reg.Step().String(), container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(260, 44), left.Objects...), nil, main))
	if r.focus != nil {
		u.Win.Canvas().Focus(r.focus)
	}
}

// fail shows an error under the step, keeping the officer on the screen
// with everything captured so far.
func (r *registration) fail(err error) {
	if err == nil {
		r.message.SetText("")
		r.relayout()
		return
	}
	r.message.Importance = widget.DangerImportance
	r.message.SetText(errorText(err))
	r.relayout()
}

// relayout lays the step out again after the message under the title
// changed height.
func (r *registration) relayout() {
	if r.main != nil {
		r.main.Refresh()
	}
}

// note shows a progress or information line under the step's title.
func (r *registration) note(text string) {
	r.message.Importance = widget.MediumImportance
	r.message.SetText(fold(text, foldWidth))
	r.relayout()
}

// fold breaks lines longer than n runes at spaces.
func fold(s string, n int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for len([]rune(line)) > n {
			rs := []rune(line)
			cut := n
			for cut > n/2 && rs[cut] != ' ' {
				cut--
			}
			out = append(out, strings.TrimRight(string(rs[:cut]), " "))
			line = strings.TrimLeft(string(rs[cut:]), " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func (u *UI) cancelRegistration(r *registration) {
	if r.cancel != nil {
		r.cancel()
	}
	reason := u.entry(T("reg.cancel_reason_hint"))
	confirm := u.primary(T("reg.cancel_confirm"), nil)
	var d fyne.Window = u.Win
	content := container.NewVBox(wrapped(T("reg.cancel_question")), reason, confirm)
	dlg := newModal(d, T("reg.cancel"), content)
	confirm.OnTapped = func() {
		u.touch()
		txt := strings.TrimSpace(reason.Text)
		if txt == "" {
			txt = T("reg.cancel_no_reason")
		}
		if err := r.s.Cancel(u.ctx, txt); err != nil {
			dlg.Hide()
			r.fail(err)
			return
		}
		dlg.Hide()
		u.showRegistration(r)
	}
	dlg.Show()
}

// --- step 1: card ---

func (u *UI) stepCard(r *registration) fyne.CanvasObject {
	r.idNumber = u.entry("001090000123")
	r.birth = u.entry(T("card.date_hint"))
	r.expiry = u.entry(T("card.date_hint"))
	if c := r.s.Reg.Card; c != nil {
		r.idNumber.SetText(c.IDNumber)
		r.birth.SetText(c.BirthDate.Format("02/01/2006"))
		r.expiry.SetText(c.Expiry.Format("02/01/2006"))
	}
	r.progress = widget.NewProgressBar()
	r.stop = u.button(T("btn.stop"), func() {
		if r.cancel != nil {
			r.cancel()
		}
	})
	r.stop.Disable()
	r.zone = widget.NewMultiLineEntry()
	r.zone.SetPlaceHolder(T("card.zone_hint"))
	r.zone.SetMinRowsVisible(3)
	r.zone.TextStyle = fyne.TextStyle{Monospace: true}
	r.zone.OnChanged = func(string) { u.touch() }
	do := func() {
		key, err := cardKey(r.idNumber.Text, r.birth.Text, r.expiry.Text, r.zone.Text)
		if err != nil {
			r.fail(err)
			return
		}
		r.fail(nil)
		r.note(T("card.reading"))
		ctx, cancel := context.WithTimeout(u.ctx, 60*time.Second)
		r.cancel = cancel
		r.read.Disable()
		r.stop.Enable()
		u.async(func() error {
			return r.s.ReadCard(ctx, key, func(done, total int) {
				if total > 0 {
					fyne.Do(func() { r.progress.SetValue(float64(done) / float64(total)); u.touch() })
				}
			})
		}, func(err error) {
			cancel()
			r.cancel = nil
			r.read.Enable()
			r.stop.Disable()
			if errors.Is(err, context.Canceled) {
				err = fmt.Errorf("%w: %w", workflow.ErrCancelled, err)
			} else if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w: %w", workflow.ErrTimeout, err)
			}
			if err != nil {
				r.fail(err)
				r.progress.SetValue(0)
				return
			}
			u.showRegistration(r)
		})
	}
	r.read = u.primary(T("card.read"), do)
	r.expiry.OnSubmitted = func(string) { do() }
	form := widget.NewForm(
		widget.NewFormItem(T("card.id_number"), r.idNumber),
		widget.NewFormItem(T("card.birth"), r.birth),
		widget.NewFormItem(T("card.expiry"), r.expiry),
		widget.NewFormItem(T("card.zone"), r.zone),
	)
	r.focus = r.idNumber
	intro := T("card.intro")
	if u.D.DemoCard != "" {
		intro += "\n" + T("card.demo", "card", u.D.DemoCard)
	}
	return container.NewVBox(wrapped(intro), form, container.NewHBox(r.read, r.stop), r.progress)
}

// --- step 2: card data ---

func (u *UI) stepCardData(r *registration) fyne.CanvasObject {
	c := r.s.Reg.Card
	pa := "✗ " + T("card.pa_failed")
	if c.PassiveAuthOK {
		pa = "✓ " + T("card.pa_ok")
	}
	if c.PassiveAuthAnchor != "" {
		pa += " (CSCA: " + c.PassiveAuthAnchor + ")"
	}
	sex := map[string]string{"M": T("card.male"), "F": T("card.female")}[c.Sex]
	form := widget.NewForm(
		widget.NewFormItem(T("card.name"), bold(c.FullName)),
		widget.NewFormItem(T("card.id_number"), widget.NewLabel(idnum.Mask(c.IDNumber))),
		widget.NewFormItem(T("card.birth"), widget.NewLabel(c.BirthDate.Format("02/01/2006"))),
		widget.NewFormItem(T("card.sex"), widget.NewLabel(sex)),
		widget.NewFormItem(T("card.expiry"), widget.NewLabel(c.Expiry.Format("02/01/2006"))),
		widget.NewFormItem(T("card.security"), widget.NewLabel(pa)),
	)
	for _, k := range []string{"place_of_origin", "residence"} {
		if v := c.Extra[k]; v != "" {
			form.Append(T("card."+k), wrapped(v))
		}
	}
	var photo fyne.CanvasObject = wrapped(T("card.no_photo"))
	if c.Photo != nil {
		photo = picture(c.Photo, 240, 300)
	}
	r.confirm = u.primary(T("card.confirm"), func() {
		if err := r.s.ConfirmCard(); err != nil {
			r.fail(err)
			return
		}
		u.showRegistration(r)
	})
	r.focus = r.confirm
	return container.NewVBox(container.NewHBox(photo, form), wrapped(T("card.confirm_hint")), r.confirm)
}

// --- step 3: consent ---

func (u *UI) consentText() (string, string) {
	if u.D.Consent != nil {
		return u.D.Consent.ConsentText(Language())
	}
	return T("consent.text"), "builtin-" + Language() + "-1"
}

func (u *UI) stepConsent(r *registration) fyne.CanvasObject {
	text, version := u.consentText()
	record := func(given bool) {
		err := r.s.RecordConsent(u.ctx, workflow.Consent{Given: given, TextVersion: version, Lang: Language()})
		if err != nil {
			r.fail(err)
			return
		}
		u.showRegistration(r)
	}
	r.agree = u.primary(T("consent.agree"), func() { record(true) })
	r.refuse = u.button(T("consent.refuse"), func() { record(false) })
	r.print = u.button(T("consent.print"), func() {
		path, err := u.writeConsent(r, text, version)
		if err != nil {
			r.fail(err)
			return
		}
		r.note(T("consent.printed", "path", path))
	})
	r.focus = r.agree
	return container.NewVBox(wrapped(text), container.NewHBox(r.agree, r.refuse, r.print))
}

func (u *UI) writeConsent(r *registration, text, version string) (string, error) {
	dir := u.D.ReceiptDir
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("%w: %v", workflow.ErrDiskFull, err)
	}
	c := r.s.Reg.Card
	given := r.s.Reg.Consent != nil && r.s.Reg.Consent.Given
	at := u.D.Now()
	if r.s.Reg.Consent != nil {
		at = r.s.Reg.Consent.At
	}
	path := filepath.Join(dir, fmt.Sprintf("consent-%s-%s.pdf", c.IDNumber[len(c.IDNumber)-3:], at.Format("20060102-150405")))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return "", fmt.Errorf("write consent form: %w", err)
	}
	err = receipt.WriteConsent(f, receipt.Consent{Text: text, TextVersion: version, FullName: c.FullName, IDNumber: c.IDNumber,
		Given: given, At: at, Officer: u.User().FullName, Office: u.D.Office}, receipt.Options{})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("write consent form: %w", err)
	}
	return path, nil
}

// --- step 4: live portrait ---

func (u *UI) stepPortrait(r *registration) fyne.CanvasObject {
	var last image.Image = blank(4, 3)
	if p := r.s.Reg.Portrait; p != nil {
		last = p.Image
	}
	r.live = picture(last, 480, 360)
	r.quality = widget.NewProgressBar()
	problems := wrapped("")
	r.stop = u.button(T("btn.stop"), func() {
		if r.cancel != nil {
			r.cancel()
		}
	})
	r.stop.Disable()
	r.capture = u.primary(T("portrait.capture"), func() {
		r.fail(nil)
		r.note(T("portrait.looking"))
		ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
		r.cancel = cancel
		r.capture.Disable()
		r.stop.Enable()
		var p workflow.Portrait
		u.async(func() error {
			var err error
			p, err = r.s.CapturePortrait(ctx, func(img image.Image, q workflow.FrameQuality) {
				shown := overlayFace(img, q.Face, q.Score >= r.s.Capture.GoodEnough)
				var ps []string
				for _, k := range q.Problems {
					ps = append(ps, T(k))
				}
				fyne.Do(func() {
					u.touch()
					r.live.Image = shown
					r.live.Refresh()
					r.quality.SetValue(q.Score)
					if !q.Found {
						ps = append([]string{T("quality.no_face")}, ps...)
					}
					problems.SetText(strings.Join(ps, " · "))
				})
			})
			return err
		}, func(err error) {
			cancel()
			r.cancel = nil
			r.capture.Enable()
			r.stop.Disable()
			if err != nil {
				r.fail(err)
				return
			}
			_ = p
			u.showRegistration(r)
		})
	})
	r.focus = r.capture
	return container.NewVBox(wrapped(T("portrait.intro")), r.live,
		container.NewBorder(nil, nil, widget.NewLabel(T("portrait.quality")), nil, r.quality), problems,
		container.NewHBox(r.capture, r.stop))
}

// --- step 5: fingerprints ---

// exceptionReasons are the reasons offered for a finger that cannot be
// scanned (translation keys finger_reason.*).
var exceptionReasons = []string{"amputated", "bandaged", "scarred", "unreadable"}

func (u *UI) stepFingers(r *registration) fyne.CanvasObject {
	r.fingerRows = map[workflow.FingerPosition]*fingerRow{}
	pol := &r.s.Reg.Policy
	var rows []fyne.CanvasObject
	allNames := make([]string, 0, 10)
	for p := workflow.RightThumb; p <= workflow.LeftLittle; p++ {
		allNames = append(allNames, T("finger."+p.String()))
	}
	for i := range pol.Fingers {
		i := i
		pos := pol.Fingers[i]
		fr := &fingerRow{info: widget.NewLabel(""), img: picture(blank(2, 3), 120, 150)}
		update := func() {
			f := r.s.Finger(pos)
			switch {
			case f.Missing:
				fr.info.SetText(T("fing.missing") + ": " + T("finger_reason."+f.MissingReason))
				fr.img.Image = f.ExceptionPhoto
			case f.Image != nil:
				fr.info.SetText(T("fing.status", "quality", fmt.Sprint(f.Quality), "min", fmt.Sprint(pol.MinFingerQuality),
					"n", fmt.Sprint(f.Attempts), "max", fmt.Sprint(pol.MaxFingerAttempts)))
				fr.img.Image = f.Image
			default:
				fr.info.SetText(T("fing.not_yet"))
			}
			fr.img.Refresh()
		}
		fr.choose = widget.NewSelect(allNames, nil)
		fr.choose.SetSelectedIndex(int(pos) - 1)
		fr.choose.OnChanged = func(string) {
			u.touch()
			np := workflow.FingerPosition(fr.choose.SelectedIndex() + 1)
			for j, q := range pol.Fingers {
				if q == np && j != i {
					r.fail(fmt.Errorf("%w: %s", workflow.ErrFingers, T("fing.duplicate")))
					fr.choose.SetSelectedIndex(int(pos) - 1)
					return
				}
			}
			pol.Fingers[i] = np
			u.showRegistration(r)
		}
		fr.scan = u.primary(T("fing.scan"), func() {
			r.fail(nil)
			r.note(T("fing.place", "finger", T("finger."+pos.String())))
			fr.scan.Disable()
			ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
			r.cancel = cancel
			u.async(func() error {
				_, err := r.s.CaptureFinger(ctx, pos)
				return err
			}, func(err error) {
				cancel()
				r.cancel = nil
				fr.scan.Enable()
				update()
				if err != nil {
					r.fail(err)
					return
				}
				r.note(T("fing.ok", "finger", T("finger."+pos.String())))
			})
		})
		fr.missing = u.button(T("fing.mark_missing"), func() { u.fingerException(r, pos, update) })
		update()
		r.fingerRows[pos] = fr
		rows = append(rows, container.NewBorder(nil, nil, fr.img, nil,
			container.NewVBox(fr.choose, fr.info, container.NewHBox(fr.scan, fr.missing))))
	}
	r.fingersDone = u.primary(T("fing.done"), func() {
		if err := r.s.FinishFingers(u.ctx); err != nil {
			r.fail(err)
			return
		}
		u.showRegistration(r)
	})
	if fr := r.fingerRows[pol.Fingers[0]]; fr != nil {
		r.focus = fr.scan
	}
	return container.NewVBox(append([]fyne.CanvasObject{wrapped(T("fing.intro"))}, append(rows, r.fingersDone)...)...)
}

// fingerException asks for the reason and takes a photo of the hand with
// the camera.
func (u *UI) fingerException(r *registration, pos workflow.FingerPosition, done func()) {
	labels := make([]string, len(exceptionReasons))
	for i, k := range exceptionReasons {
		labels[i] = T("finger_reason." + k)
	}
	reason := widget.NewSelect(labels, nil)
	status := wrapped(T("fing.photo_hint"))
	var photo image.Image
	preview := picture(blank(4, 3), 240, 180)
	take := u.button(T("fing.take_photo"), nil)
	save := u.primary(T("btn.save"), nil)
	closeBtn := u.button(T("btn.close"), nil)
	dlg := newModal(u.Win, T("fing.mark_missing")+": "+T("finger."+pos.String()), container.NewVBox(reason, preview, status, container.NewHBox(take, save, closeBtn)))
	closeBtn.OnTapped = dlg.Hide
	take.OnTapped = func() {
		u.touch()
		if r.s.Devices.Camera == nil {
			status.SetText(errorText(fmt.Errorf("camera: %w", workflow.ErrNoDevice)))
			return
		}
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		u.async(func() error {
			defer cancel()
			frames, err := r.s.Devices.Camera.Frames(ctx)
			if err != nil {
				return err
			}
			select {
			case img, ok := <-frames:
				if !ok {
					return fmt.Errorf("camera closed: %w", workflow.ErrDevice)
				}
				photo = img
				return nil
			case <-ctx.Done():
				return fmt.Errorf("%w: %w", workflow.ErrTimeout, ctx.Err())
			}
		}, func(err error) {
			if err != nil {
				status.SetText(errorText(err))
				return
			}
			preview.Image = photo
			preview.Refresh()
			status.SetText(T("fing.photo_taken"))
		})
	}
	save.OnTapped = func() {
		u.touch()
		idx := reason.SelectedIndex()
		if idx < 0 {
			status.SetText(T("fing.pick_reason"))
			return
		}
		if err := r.s.MarkFingerMissing(u.ctx, pos, exceptionReasons[idx], photo); err != nil {
			status.SetText(errorText(err))
			return
		}
		dlg.Hide()
		done()
	}
	dlg.Show()
}

// --- step 6: matching ---

func outcomeLabel(o string) *widget.Label {
	l := widget.NewLabelWithStyle(T("outcome."+o), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	switch o {
	case "verified":
		l.Importance = widget.SuccessImportance
	case "review":
		l.Importance = widget.WarningImportance
	case "rejected":
		l.Importance = widget.DangerImportance
	}
	return l
}

func (u *UI) stepMatch(r *registration) fyne.CanvasObject {
	reasons := container.NewVBox()
	box := container.NewVBox(wrapped(T("match.intro")))
	r.outcome = widget.NewLabel("")
	showDecision := func(d *workflow.Decision) {
		reasons.Objects = nil
		if d == nil {
			return
		}
		ol := outcomeLabel(string(d.Outcome))
		r.outcome.SetText(ol.Text)
		reasons.Add(ol)
		for _, rs := range d.Reasons {
			mark := "✓"
			if rs.Outcome == workflow.Review {
				mark = "!"
			} else if rs.Outcome == workflow.Rejected {
				mark = "✗"
			}
			reasons.Add(wrapped(mark + " " + tm(rs.Code, rs.Args)))
		}
		if d.Outcome == workflow.Rejected {
			reasons.Add(wrapped(T("match.rejected_next")))
			reasons.Add(container.NewHBox(
				u.button(T("match.retake_portrait"), func() { r.s.Retry(workflow.StepPortrait); u.showRegistration(r) }),
				u.button(T("match.retake_fingers"), func() { r.s.Retry(workflow.StepFingers); u.showRegistration(r) }),
			))
		}
		reasons.Refresh()
	}
	progress := widget.NewProgressBarInfinite()
	progress.Hide()
	r.runMatch = u.primary(T("match.run"), func() {
		r.fail(nil)
		r.runMatch.Disable()
		progress.Show()
		progress.Start()
		ctx, cancel := context.WithTimeout(u.ctx, 60*time.Second)
		r.cancel = cancel
		var d workflow.Decision
		u.async(func() error {
			var err error
			d, err = r.s.Match(ctx)
			return err
		}, func(err error) {
			cancel()
			r.cancel = nil
			progress.Stop()
			progress.Hide()
			r.runMatch.Enable()
			if err != nil {
				r.fail(err)
				return
			}
			if d.Outcome == workflow.Rejected {
				showDecision(&d)
				return
			}
			u.showRegistration(r)
		})
	})
	showDecision(r.s.Reg.Decision)
	box.Add(container.NewHBox(r.runMatch))
	box.Add(progress)
	box.Add(reasons)
	r.focus = r.runMatch
	return box
}

// --- step 7: contact and documents ---

func (u *UI) stepContact(r *registration) fyne.CanvasObject {
	r.phone = u.entry("09xx xxx xxx")
	r.email = u.entry("ten@example.vn")
	labels := make([]string, len(workflow.Documents))
	for i, d := range workflow.Documents {
		labels[i] = T("doc." + d)
	}
	r.docs = widget.NewCheckGroup(labels, func([]string) { u.touch() })
	if c := r.s.Reg.Contact; c != nil {
		r.phone.SetText(c.Phone)
		r.email.SetText(c.Email)
		var sel []string
		for _, d := range c.Documents {
			sel = append(sel, T("doc."+d))
		}
		r.docs.SetSelected(sel)
	}
	r.contactDone = u.primary(T("contact.done"), func() {
		var docs []string
		for i, l := range labels {
			for _, s := range r.docs.Selected {
				if s == l {
					docs = append(docs, workflow.Documents[i])
				}
			}
		}
		if err := r.s.EnterContact(workflow.Contact{Phone: r.phone.Text, Email: r.email.Text, Documents: docs}); err != nil {
			r.fail(err)
			return
		}
		u.showRegistration(r)
	})
	r.email.OnSubmitted = func(string) { r.contactDone.OnTapped() }
	form := widget.NewForm(widget.NewFormItem(T("contact.phone"), r.phone), widget.NewFormItem(T("contact.email"), r.email))
	r.focus = r.phone
	return container.NewVBox(wrapped(T("contact.intro")), form, bold(T("contact.documents")), container.NewGridWithColumns(2, r.docs), r.contactDone)
}

// --- step 8: review ---

func (u *UI) stepReview(r *registration) fyne.CanvasObject {
	reg := r.s.Reg
	c := reg.Card
	var docs []string
	for _, d := range reg.Contact.Documents {
		docs = append(docs, T("doc."+d))
	}
	var fingers []string
	for _, f := range reg.Fingers {
		if f.Missing {
			fingers = append(fingers, T("finger."+f.Position.String())+" ("+T("fing.missing")+")")
		} else {
			fingers = append(fingers, fmt.Sprintf("%s (%d)", T("finger."+f.Position.String()), f.Quality))
		}
	}
	form := widget.NewForm(
		widget.NewFormItem(T("card.name"), bold(c.FullName)),
		widget.NewFormItem(T("card.id_number"), widget.NewLabel(idnum.Mask(c.IDNumber))),
		widget.NewFormItem(T("step.consent"), widget.NewLabel(T("consent.recorded_at", "time", reg.Consent.At.Local().Format("15:04:05")))),
		widget.NewFormItem(T("step.portrait"), widget.NewLabel(fmt.Sprintf("%s %.2f", T("portrait.quality"), reg.Portrait.Quality))),
		widget.NewFormItem(T("step.fingers"), wrapped(strings.Join(fingers, ", "))),
		widget.NewFormItem(T("step.match"), outcomeLabel(string(reg.Decision.Outcome))),
		widget.NewFormItem(T("contact.phone"), widget.NewLabel(reg.Contact.Phone)),
		widget.NewFormItem(T("contact.email"), widget.NewLabel(reg.Contact.Email)),
		widget.NewFormItem(T("contact.documents"), wrapped(strings.Join(docs, ", "))),
	)
	photos := container.NewHBox()
	if c.Photo != nil {
		photos.Add(picture(c.Photo, 150, 190))
	}
	photos.Add(picture(reg.Portrait.Image, 150, 190))
	r.submit = u.primary(T("review.submit"), func() {
		r.submit.Disable()
		var id string
		u.async(func() error {
			var err error
			id, err = r.s.Submit(u.ctx)
			return err
		}, func(err error) {
			r.submit.Enable()
			if err != nil {
				r.fail(err)
				return
			}
			path, perr := u.writeReceipt(r, id)
			r.receiptPath = path
			u.showRegistration(r)
			if perr != nil {
				r.fail(perr)
			}
		})
	})
	r.focus = r.submit
	return container.NewVBox(photos, form, wrapped(T("review.hint")), r.submit)
}

func (u *UI) receiptData(r *registration, id string) receipt.Receipt {
	reg := r.s.Reg
	at := u.D.Now()
	if n := len(reg.History); n > 0 {
		at = reg.History[n-1].At
	}
	var docs []string
	for _, d := range reg.Contact.Documents {
		docs = append(docs, T("doc."+d))
	}
	return receipt.Receipt{
		ApplicationID: id, Office: u.D.Office, StationID: u.D.StationID, Officer: u.User().FullName,
		SubmittedAt: at, DueBy: workflow.AddWorkingDays(at, workflow.DecisionDays),
		FullName: reg.Card.FullName, IDNumber: reg.Card.IDNumber,
		Phone: reg.Contact.Phone, Email: reg.Contact.Email, Documents: docs,
	}
}

func (u *UI) writeReceipt(r *registration, id string) (string, error) {
	dir := u.D.ReceiptDir
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("write receipt: %w: %v", workflow.ErrDiskFull, err)
	}
	path := filepath.Join(dir, "receipt-"+shortID(id)+".pdf")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return "", fmt.Errorf("write receipt: %w", err)
	}
	err = receipt.Write(f, u.receiptData(r, id), receipt.Options{})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("write receipt (the application %s is saved; print again from here): %w", shortID(id), err)
	}
	return path, nil
}

// --- step 9: done ---

func (u *UI) stepDone(r *registration) fyne.CanvasObject {
	id := r.s.Reg.ApplicationID
	objs := []fyne.CanvasObject{
		bold(T("done.saved", "id", id)),
		outcomeLabel(string(r.s.Reg.Decision.Outcome)),
		wrapped(T("done.next")),
	}
	if png, err := receipt.QRPNG(id, 256); err == nil {
		res := fyne.NewStaticResource("qr.png", png)
		qr := canvas.NewImageFromResource(res)
		qr.FillMode = canvas.ImageFillContain
		qr.SetMinSize(fyne.NewSize(180, 180))
		objs = append(objs, container.NewHBox(qr))
	}
	if r.receiptPath != "" {
		objs = append(objs, wrapped(T("done.receipt", "path", r.receiptPath)))
	}
	again := u.button(T("done.reprint"), func() {
		path, err := u.writeReceipt(r, id)
		if err != nil {
			r.fail(err)
			return
		}
		r.receiptPath = path
		r.note(T("done.receipt", "path", path))
	})
	next := u.primary(T("home.new")+"  (Ctrl+2)", u.newRegistration)
	r.focus = next
	objs = append(objs, container.NewHBox(next, again))
	return container.NewVBox(objs...)
}

// cardKey builds the chip's access key from the scanned machine readable
// zone when there is one, else from the typed ID number and dates. When
// both are given they must agree.
func cardKey(id, birth, expiry, zone string) (workflow.MRZKey, error) {
	if strings.TrimSpace(zone) == "" {
		return workflow.MRZKeyFromID(id, birth, expiry)
	}
	m, err := mrz.Parse(strings.ToUpper(strings.TrimSpace(zone)))
	if err != nil {
		return workflow.MRZKey{}, fmt.Errorf("%w: machine readable zone: %v", workflow.ErrBadMRZ, err)
	}
	k := workflow.MRZKey{DocumentNumber: m.DocumentNumber, BirthDate: m.DateOfBirth, ExpiryDate: m.DateOfExpiry}
	if id = strings.TrimSpace(id); id != "" && m.IDNumber != "" && id != m.IDNumber {
		return workflow.MRZKey{}, fmt.Errorf("%w: the typed ID number differs from the scanned zone", workflow.ErrBadMRZ)
	}
	return k, k.Validate()
}
