package ui

import (
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/auth"
)

type homeView struct {
	newReg, resume, approvals, queue, diag, logout *widget.Button
	ackAudit, users                                *widget.Button
	status                                         *widget.Label
	devices                                        *widget.Label
}

func (u *UI) showHome() {
	usr := u.User()
	if usr.Name == "" {
		u.showLogin()
		return
	}
	v := &homeView{}
	v.newReg = u.primary(T("home.new")+"  (Ctrl+2)", u.newRegistration)
	v.queue = u.button(T("home.queue")+"  (Ctrl+3)", u.showQueue)
	v.approvals = u.button(T("home.approvals")+"  (Ctrl+4)", u.showApprovals)
	v.logout = u.button(T("home.logout")+"  (Ctrl+L)", u.logout)
	v.diag = u.button(T("home.diagnostics"), u.showDiagnostics)
	v.status = wrapped(u.statusText())
	v.devices = wrapped(u.deviceText())

	var actions []fyne.CanvasObject
	if u.allowed(access.SubmitApplication) {
		u.mu.Lock()
		r := u.reg
		u.mu.Unlock()
		if r != nil && !r.s.Reg.Final() {
			v.resume = u.primary(T("home.resume", "step", T("step."+r.s.Reg.Step().String())), func() { u.showRegistration(r) })
			actions = append(actions, v.resume)
		}
		actions = append(actions, v.newReg, v.queue)
	}
	if u.allowed(access.Approve) {
		actions = append(actions, v.approvals)
	}
	if u.allowed(access.ManageUsers) {
		v.users = u.button(T("home.users"), u.showUsers)
		actions = append(actions, v.users)
	}
	if u.allowed(access.RunDiagnostics) {
		actions = append(actions, v.diag)
	}
	if u.D.Gate != nil && u.D.Gate.RequireIntact() != nil && u.allowed(access.AcknowledgeAuditCorruption) {
		v.ackAudit = u.button(T("home.ack_audit"), u.acknowledgeAudit)
		v.ackAudit.Importance = widget.DangerImportance
		actions = append(actions, v.ackAudit)
	}
	actions = append(actions, v.logout)

	who := T("home.user", "name", usr.FullName, "role", T("role."+string(usr.Role)))
	top := container.NewVBox(
		container.NewHBox(heading(T("home.title")), widget.NewLabel("  "+who)),
		widget.NewSeparator(),
	)
	left := container.NewVBox(actions...)
	right := container.NewVBox(
		widget.NewLabelWithStyle(T("home.station"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.status,
		widget.NewLabelWithStyle(T("home.devices"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.devices,
		container.NewHBox(widget.NewLabel(T("lang.label")), u.langSelect(u.showHome)),
	)
	u.homeV = v
	u.show("home", container.NewBorder(top, nil, container.NewGridWrap(fyne.NewSize(380, 60), actions...), nil, container.NewVScroll(right)))
	_ = left
}

func (u *UI) statusText() string {
	lines := []string{
		T("home.station_id", "id", u.D.StationID),
		T("home.office", "office", u.D.Office),
	}
	if u.D.Demo {
		lines = append(lines, T("home.demo"))
	}
	if u.D.Gate != nil {
		if err := u.D.Gate.RequireIntact(); err != nil {
			lines = append(lines, T("home.audit_broken")+" "+err.Error())
		}
	}
	if u.D.Apps != nil {
		counts, err := u.D.Apps.Counts(u.ctx)
		if err != nil {
			lines = append(lines, T("err.title")+": "+err.Error())
		} else {
			states := make([]string, 0, len(counts))
			for s := range counts {
				states = append(states, s)
			}
			sort.Strings(states)
			for _, s := range states {
				lines = append(lines, fmt.Sprintf("  %s: %d", T("state."+s), counts[s]))
			}
			pending := counts["verified"]
			lines = append(lines, T("home.pending", "n", fmt.Sprint(pending), "limit", fmt.Sprint(u.D.PendingLimit)))
			if u.D.PendingLimit > 0 && pending >= u.D.PendingLimit {
				lines = append(lines, T("err.pending_limit")+" "+T("next.pending_limit"))
			}
		}
	} else {
		lines = append(lines, T("home.no_store"))
	}
	if u.D.LastSync != nil {
		if t := u.D.LastSync(u.ctx); t.IsZero() {
			lines = append(lines, T("home.never_synced"))
		} else {
			lines = append(lines, T("home.last_sync", "time", t.Local().Format("15:04 02/01/2006")))
		}
	}
	return joinLines(lines)
}

func (u *UI) deviceText() string {
	d := u.D.Devices
	line := func(key string, ok bool) string {
		if ok {
			return "✓ " + T(key)
		}
		return "✗ " + T(key) + " — " + T("home.not_connected")
	}
	return joinLines([]string{
		line("dev.card", d.Card != nil),
		line("dev.camera", d.Camera != nil && d.FaceQuality != nil),
		line("dev.scanner", d.Scanner != nil && d.FingerQuality != nil),
		line("dev.matcher", d.Matcher != nil),
	})
}

func (u *UI) showDiagnostics() {
	if !u.allowed(access.RunDiagnostics) {
		u.showError(access.ErrDenied)
		return
	}
	back := u.button(T("btn.home")+"  (Ctrl+1)", u.showHome)
	var body fyne.CanvasObject = wrapped(T("diag.unavailable"))
	if u.D.Diagnostics != nil {
		body = u.D.Diagnostics(u.Win)
	}
	u.show("diagnostics", container.NewBorder(container.NewHBox(heading(T("home.diagnostics")), back), nil, nil, nil, body))
}

// acknowledgeAudit lets a supervisor, with their own password, acknowledge
// the audit log's breaks so the station takes applications again.
func (u *UI) acknowledgeAudit() {
	note := u.entry(T("home.ack_note"))
	pw := widget.NewPasswordEntry()
	pw.SetPlaceHolder(T("appr.password_hint"))
	status := wrapped(T("home.ack_explain"))
	ok := u.primary(T("home.ack_audit"), nil)
	closeBtn := u.button(T("btn.close"), nil)
	dlg := newModal(u.Win, T("home.ack_audit"), container.NewVBox(status, note, pw, container.NewHBox(ok, closeBtn)))
	closeBtn.OnTapped = dlg.Hide
	ok.OnTapped = func() {
		sup, err := u.D.Users.Verify(u.ctx, u.User().Name, pw.Text, auth.Supervisor)
		pw.SetText("")
		if err != nil {
			status.SetText(errorText(err))
			return
		}
		if _, err := u.D.Gate.Acknowledge(u.ctx, sup.Name, note.Text); err != nil {
			status.SetText(errorText(err))
			return
		}
		dlg.Hide()
		u.showHome()
	}
	dlg.Show()
}
