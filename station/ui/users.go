package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/auth"
)

type usersView struct {
	list                       *widget.List
	users                      []auth.User
	name, fullName, pw, pw2    *widget.Entry
	role                       *widget.Select
	add, toggle, resetPassword *widget.Button
	status                     *widget.Label
	selected                   int
}

var roles = []auth.Role{auth.Officer, auth.Supervisor, auth.Technician}

// showUsers is the supervisor's account management: add officers,
// supervisors and technicians, disable or re-enable them, set a new
// password (which also lifts a lockout).
func (u *UI) showUsers() {
	if !u.allowed(access.ManageUsers) {
		u.showError(fmt.Errorf("users: %w", access.ErrDenied))
		return
	}
	v := &usersView{status: wrapped(""), selected: -1,
		name: u.entry("canbo2"), fullName: u.entry(T("setup.full_name_hint")), pw: widget.NewPasswordEntry(), pw2: widget.NewPasswordEntry()}
	labels := make([]string, len(roles))
	for i, r := range roles {
		labels[i] = T("role." + string(r))
	}
	v.role = widget.NewSelect(labels, nil)
	v.role.SetSelectedIndex(0)
	reload := func() {
		us, err := u.D.Users.List(u.ctx)
		if err != nil {
			v.status.SetText(errorText(err))
			return
		}
		v.users = us
		v.list.Refresh()
	}
	v.list = widget.NewList(func() int { return len(v.users) }, func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			usr := v.users[i]
			state := ""
			if !usr.Active {
				state = "  (" + T("users.disabled") + ")"
			}
			o.(*widget.Label).SetText(fmt.Sprintf("%s — %s — %s%s", usr.Name, usr.FullName, T("role."+string(usr.Role)), state))
		})
	v.list.OnSelected = func(i widget.ListItemID) { u.touch(); v.selected = i }
	v.add = u.primary(T("users.add"), func() {
		if v.pw.Text != v.pw2.Text {
			v.status.SetText(T("setup.mismatch"))
			return
		}
		nu := auth.User{Name: v.name.Text, FullName: v.fullName.Text, Role: roles[max(0, v.role.SelectedIndex())]}
		if err := u.D.Users.Create(u.ctx, u.User().Name, nu, v.pw.Text); err != nil {
			v.status.SetText(errorText(err))
			return
		}
		v.status.SetText(T("users.added", "name", nu.Name))
		v.name.SetText("")
		v.fullName.SetText("")
		v.pw.SetText("")
		v.pw2.SetText("")
		reload()
	})
	v.toggle = u.button(T("users.toggle"), func() {
		if v.selected < 0 || v.selected >= len(v.users) {
			v.status.SetText(T("users.pick"))
			return
		}
		usr := v.users[v.selected]
		if usr.Name == u.User().Name {
			v.status.SetText(T("users.not_self"))
			return
		}
		if err := u.D.Users.SetActive(u.ctx, u.User().Name, usr.Name, !usr.Active); err != nil {
			v.status.SetText(errorText(err))
			return
		}
		reload()
	})
	v.resetPassword = u.button(T("users.set_password"), func() {
		if v.selected < 0 || v.selected >= len(v.users) {
			v.status.SetText(T("users.pick"))
			return
		}
		if v.pw.Text != v.pw2.Text {
			v.status.SetText(T("setup.mismatch"))
			return
		}
		usr := v.users[v.selected]
		if err := u.D.Users.SetPassword(u.ctx, u.User().Name, usr.Name, v.pw.Text); err != nil {
			v.status.SetText(errorText(err))
			return
		}
		v.pw.SetText("")
		v.pw2.SetText("")
		v.status.SetText(T("users.password_set", "name", usr.Name))
	})
	form := widget.NewForm(
		widget.NewFormItem(T("login.name"), v.name),
		widget.NewFormItem(T("setup.full_name"), v.fullName),
		widget.NewFormItem(T("users.role"), v.role),
		widget.NewFormItem(T("setup.password"), v.pw),
		widget.NewFormItem(T("setup.password2"), v.pw2),
	)
	top := container.NewHBox(heading(T("users.title")), u.button(T("btn.home")+"  (Ctrl+1)", u.showHome))
	right := container.NewVBox(form, container.NewHBox(v.add, v.resetPassword, v.toggle), v.status)
	split := container.NewHSplit(v.list, right)
	split.Offset = 0.45
	u.usersV = v
	u.show("users", container.NewBorder(top, nil, nil, nil, split))
	reload()
}
