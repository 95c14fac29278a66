package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/auth"
)

func auditEntry(usr auth.User, action, object, outcome string, detail map[string]string) audit.Entry {
	actor := usr.Name
	if actor == "" {
		actor = "system"
	}
	return audit.Entry{Actor: actor, Role: string(usr.Role), Action: action, Object: object, Outcome: outcome, Detail: detail}
}

// langSelect switches the interface language and redraws via redraw.
func (u *UI) langSelect(redraw func()) *widget.Select {
	s := widget.NewSelect([]string{"Tiếng Việt", "English"}, nil)
	if Language() == "en" {
		s.SetSelected("English")
	} else {
		s.SetSelected("Tiếng Việt")
	}
	s.OnChanged = func(v string) {
		l := "vi"
		if v == "English" {
			l = "en"
		}
		if l == Language() {
			return
		}
		if err := SetLanguage(l); err != nil {
			u.showError(err)
			return
		}
		redraw()
	}
	return s
}

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = "headingText"
	return l
}

// wrapped is a label for running text. Its lines are broken by fold, not
// by fyne's word wrapping: a wrapping label's height is measured before
// its width is known, and inside boxes its later lines overlap what
// follows.
func wrapped(text string) *widget.Label {
	return widget.NewLabel(fold(text, foldWidth))
}

// foldWidth is the longest line of running text, in characters: about
// 900 pixels of the station's 17-point type.
const foldWidth = 100

// loginView is the log-in screen's widgets.
type loginView struct {
	name, password *widget.Entry
	submit         *widget.Button
	status         *widget.Label
}

func (u *UI) showLogin() {
	v := &loginView{name: u.entry(T("login.name_hint")), password: widget.NewPasswordEntry(), status: wrapped("")}
	v.password.SetPlaceHolder(T("login.password_hint"))
	do := func() {
		if u.D.Users == nil {
			v.status.SetText(T("err.no_users"))
			return
		}
		usr, err := u.D.Users.Login(u.ctx, v.name.Text, v.password.Text)
		v.password.SetText("")
		if err != nil {
			v.status.SetText(errorText(err))
			return
		}
		u.login(usr)
	}
	v.submit = u.primary(T("login.submit"), do)
	v.password.OnSubmitted = func(string) { do() }
	v.name.OnSubmitted = func(string) { u.Win.Canvas().Focus(v.password) }
	office := u.D.Office
	form := widget.NewForm(widget.NewFormItem(T("login.name"), v.name), widget.NewFormItem(T("login.password"), v.password))
	box := container.NewVBox(
		heading(T("app.title")),
		widget.NewLabel(office+"  ·  "+u.D.StationID),
		form, v.submit, v.status,
		container.NewHBox(widget.NewLabel(T("lang.label")), u.langSelect(u.showLogin)),
	)
	if len(u.D.DemoLogins) > 0 {
		box.Add(wrapped(T("login.demo") + "\n" + joinLines(u.D.DemoLogins)))
	}
	u.loginV = v
	u.show("login", container.NewCenter(container.NewGridWrap(fyne.NewSize(560, 560), box)))
	u.Win.Canvas().Focus(v.name)
}

// setupView is the first-run screen's widgets.
type setupView struct {
	stationID, office, name, fullName *widget.Entry
	password, password2               *widget.Entry
	submit                            *widget.Button
	status                            *widget.Label
}

func (u *UI) showSetup() {
	v := &setupView{
		stationID: u.entry("HN-BD-01"), office: u.entry(T("setup.office_hint")),
		name: u.entry("giamsat"), fullName: u.entry(T("setup.full_name_hint")),
		password: widget.NewPasswordEntry(), password2: widget.NewPasswordEntry(), status: wrapped(""),
	}
	v.stationID.SetText(u.D.StationID)
	v.office.SetText(u.D.Office)
	do := func() {
		if v.password.Text != v.password2.Text {
			v.status.SetText(T("setup.mismatch"))
			return
		}
		if u.D.Users == nil {
			v.status.SetText(T("err.no_users"))
			return
		}
		s := auth.Setup{StationID: v.stationID.Text, Office: v.office.Text,
			Supervisor: auth.User{Name: v.name.Text, FullName: v.fullName.Text}, Password: v.password.Text}
		if err := u.D.Users.RunSetup(u.ctx, s, u.D.KeyMaker); err != nil {
			v.status.SetText(errorText(err))
			return
		}
		u.D.StationID, u.D.Office = v.stationID.Text, v.office.Text
		if id, err := u.D.DB.Setting(u.ctx, auth.SettingStationID); err == nil {
			u.D.StationID = id
		}
		u.showLogin()
		u.loginV.name.SetText(v.name.Text)
		u.loginV.status.SetText(T("setup.done"))
		u.Win.Canvas().Focus(u.loginV.password)
	}
	v.submit = u.primary(T("setup.submit"), do)
	form := widget.NewForm(
		widget.NewFormItem(T("setup.station_id"), v.stationID),
		widget.NewFormItem(T("setup.office"), v.office),
		widget.NewFormItem(T("setup.name"), v.name),
		widget.NewFormItem(T("setup.full_name"), v.fullName),
		widget.NewFormItem(T("setup.password"), v.password),
		widget.NewFormItem(T("setup.password2"), v.password2),
	)
	keys := T("setup.keys_auto")
	if u.D.KeyMaker == nil {
		keys = T("setup.keys_none")
	}
	box := container.NewVBox(heading(T("setup.title")), wrapped(T("setup.intro")), form, wrapped(keys), v.submit, v.status,
		container.NewHBox(widget.NewLabel(T("lang.label")), u.langSelect(u.showSetup)))
	u.setupV = v
	u.show("setup", container.NewCenter(container.NewGridWrap(fyne.NewSize(720, 640), box)))
	u.Win.Canvas().Focus(v.stationID)
}
