// Package ui is the station's desktop interface, built with Fyne: first-run
// set-up, log-in, the home screen with the station's status, the officer's
// registration steps, the supervisor's approvals and the queue. Vietnamese
// is the default language, English the other (assets/i18n).
//
// The package never imports fyne.io/fyne/v2/app: package main creates the
// app and window and hands them to New, so the screens are tested with
// fyne's test driver without building the OpenGL driver.
package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// UI is the running interface in one window.
type UI struct {
	App fyne.App
	Win fyne.Window
	D   Deps

	ctx context.Context
	// busy counts background work (device reads, matching) so tests can
	// wait for it.
	busy sync.WaitGroup

	mu      sync.Mutex
	user    auth.User
	sess    *auth.Session
	screen  string
	regs    map[string]*registration // per officer: kept across idle log-out
	reg     *registration
	idleDlg dialog.Dialog
	stopIdl chan struct{}

	// The widgets of the screen shown, for tests.
	loginV  *loginView
	setupV  *setupView
	homeV   *homeView
	queueV  *queueView
	approvV *approvalsView
	usersV  *usersView
}

// New prepares the interface; Start shows the first screen.
func New(ctx context.Context, a fyne.App, w fyne.Window, d Deps) *UI {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.IdleLogout == 0 {
		d.IdleLogout = 5 * time.Minute
	}
	if len(d.Policy.Fingers) == 0 {
		d.Policy = workflow.DefaultPolicy()
	}
	a.Settings().SetTheme(Theme())
	u := &UI{App: a, Win: w, D: d, ctx: ctx, regs: map[string]*registration{}}
	u.shortcuts()
	return u
}

// Start shows the first-run set-up when the station has never been set
// up, else the log-in screen.
func (u *UI) Start() {
	need := true
	if u.D.DB != nil {
		n, err := auth.NeedsSetup(u.ctx, u.D.DB)
		if err != nil {
			u.showLogin()
			u.showError(err)
			return
		}
		need = n
	}
	if need {
		u.showSetup()
		return
	}
	u.showLogin()
}

// Screen names the screen shown, for tests and screenshots.
func (u *UI) Screen() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.screen
}

// Wait blocks until background work started by the screens is done.
func (u *UI) Wait() { u.busy.Wait() }

// User returns the logged-in user (zero when logged out).
func (u *UI) User() auth.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.user
}

func (u *UI) show(name string, content fyne.CanvasObject) {
	u.mu.Lock()
	u.screen = name
	u.mu.Unlock()
	title := T("app.title")
	if u.D.StationID != "" {
		title += " — " + u.D.StationID
	}
	u.Win.SetTitle(title)
	u.Win.SetContent(content)
}

// async runs work in the background and then done on the UI thread.
func (u *UI) async(work func() error, done func(error)) {
	if u.D.Inline {
		done(work())
		return
	}
	u.busy.Add(1)
	go func() {
		defer u.busy.Done()
		err := work()
		fyne.Do(func() { done(err) })
	}()
}

// touch records user activity for the idle logout.
func (u *UI) touch() {
	u.mu.Lock()
	s := u.sess
	u.mu.Unlock()
	if s != nil {
		s.Touch(u.D.Now())
	}
}

// button makes a button whose tap counts as activity.
func (u *UI) button(label string, tapped func()) *widget.Button {
	return widget.NewButton(label, func() { u.touch(); tapped() })
}

func (u *UI) primary(label string, tapped func()) *widget.Button {
	b := u.button(label, tapped)
	b.Importance = widget.HighImportance
	return b
}

func (u *UI) entry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { u.touch() }
	return e
}

// errorText is the plain-words message for err: what happened and what to
// do next, with the technical detail last.
func errorText(err error) string {
	what, next := workflow.Advice(err)
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		what, next = "err.bad_credentials", "next.bad_credentials"
	case errors.Is(err, auth.ErrLocked):
		what, next = "err.locked", "next.locked"
	case errors.Is(err, auth.ErrDisabled):
		what, next = "err.disabled", "next.disabled"
	case errors.Is(err, auth.ErrWeakPassword):
		what, next = "err.weak_password", "next.weak_password"
	case errors.Is(err, auth.ErrBadUser), errors.Is(err, auth.ErrUserExists):
		what, next = "err.bad_user", "next.bad_user"
	case errors.Is(err, access.ErrDenied):
		what, next = "err.denied", "next.denied"
	case errors.Is(err, audit.ErrCorrupted):
		what, next = "err.audit", "next.audit"
	}
	return fold(T(what)+"\n"+T("next.label")+" "+T(next)+"\n"+T("err.detail")+" "+err.Error(), foldWidth)
}

// showError tells the officer what went wrong and what to do next.
func (u *UI) showError(err error) {
	if err == nil {
		return
	}
	l := widget.NewLabel(fold(errorText(err), 60))
	d := dialog.NewCustom(T("err.title"), T("btn.ok"), l, u.Win)
	d.Show()
}

func (u *UI) allowed(p access.Permission) bool {
	return access.Allowed(access.Role(u.User().Role), p)
}

func (u *UI) shortcuts() {
	c := u.Win.Canvas()
	add := func(k fyne.KeyName, f func()) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) {
			if u.User().Name == "" {
				return
			}
			u.touch()
			f()
		})
	}
	add(fyne.Key1, u.showHome)
	add(fyne.Key2, u.newRegistration)
	add(fyne.Key3, u.showQueue)
	add(fyne.Key4, u.showApprovals)
	add(fyne.KeyL, u.logout)
}

// login starts a session for usr.
func (u *UI) login(usr auth.User) {
	u.mu.Lock()
	u.user = usr
	u.sess = auth.NewSession(usr, u.D.Now(), u.D.IdleLogout, 0)
	u.reg = u.regs[usr.Name]
	stop := make(chan struct{})
	u.stopIdl = stop
	u.mu.Unlock()
	if u.D.IdleCheck >= 0 {
		go u.idleLoop(stop)
	}
	u.clearOverlays()
	u.showHome()
}

func (u *UI) idleLoop(stop chan struct{}) {
	every := u.D.IdleCheck
	if every == 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-u.ctx.Done():
			return
		case <-t.C:
			fyne.Do(u.CheckIdle)
		}
	}
}

// CheckIdle warns before the idle logout and logs out when it is due.
// It runs every second on the UI thread; tests call it directly.
func (u *UI) CheckIdle() {
	u.mu.Lock()
	s := u.sess
	u.mu.Unlock()
	if s == nil {
		return
	}
	st, left := s.Check(u.D.Now())
	switch st {
	case auth.Warning:
		if u.idleDlg == nil {
			msg := widget.NewLabel(T("idle.warning", "seconds", fmt.Sprint(int(left.Seconds()))))
			u.idleDlg = dialog.NewCustom(T("idle.title"), T("idle.stay"), msg, u.Win)
			u.idleDlg.SetOnClosed(func() { u.idleDlg = nil; u.touch() })
			u.idleDlg.Show()
		}
	case auth.Expired:
		if u.idleDlg != nil {
			d := u.idleDlg
			u.idleDlg = nil
			d.Hide()
		}
		u.record("auth.idle_logout", "", "ok", nil)
		u.endSession()
		u.showLogin()
	case auth.Active:
		if u.idleDlg != nil {
			d := u.idleDlg
			u.idleDlg = nil
			d.Hide()
		}
	}
}

// clearOverlays closes the dialogs left open, so that nothing of one
// user's session shows in the next.
func (u *UI) clearOverlays() {
	ov := u.Win.Canvas().Overlays()
	for ov.Top() != nil {
		ov.Remove(ov.Top())
	}
	u.idleDlg = nil
}

func (u *UI) endSession() {
	u.clearOverlays()
	u.mu.Lock()
	if u.reg != nil && !u.reg.s.Reg.Final() {
		u.regs[u.user.Name] = u.reg // resumed at the next log-in
	}
	if u.sess != nil {
		u.sess.End()
	}
	if u.stopIdl != nil {
		close(u.stopIdl)
		u.stopIdl = nil
	}
	u.sess, u.user, u.reg = nil, auth.User{}, nil
	u.mu.Unlock()
}

func (u *UI) logout() {
	u.record("auth.logout", "", "ok", nil)
	u.endSession()
	u.showLogin()
}

func (u *UI) record(action, object, outcome string, detail map[string]string) {
	if u.D.Audit == nil {
		return
	}
	usr := u.User()
	_ = u.D.Audit.Record(u.ctx, auditEntry(usr, action, object, outcome, detail))
}
