package ui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/auth"
)

type approvalsView struct {
	list               *widget.List
	rows               []Row
	selected           string
	detail             *fyne.Container
	reason             *widget.Entry
	supName, supPass   *widget.Entry
	approve, reject    *widget.Button
	status, listStatus *widget.Label
}

// errNeedReason is shown when a rejection has no reason.
var errNeedReason = errors.New("a rejection needs a reason")

func (u *UI) showApprovals() {
	if !u.allowed(access.Approve) {
		u.showError(fmt.Errorf("approvals: %w", access.ErrDenied))
		return
	}
	v := &approvalsView{status: wrapped(""), listStatus: wrapped(""), detail: container.NewVBox(wrapped(T("appr.pick")))}
	v.reason = u.entry(T("appr.reason_hint"))
	v.supName = u.entry(T("login.name_hint"))
	v.supName.SetText(u.User().Name)
	v.supPass = widget.NewPasswordEntry()
	v.supPass.SetPlaceHolder(T("appr.password_hint"))

	reload := func() {
		if u.D.Apps == nil {
			v.listStatus.SetText(T("home.no_store"))
			return
		}
		rows, err := u.D.Apps.List(u.ctx, "verified", 500)
		if err != nil {
			v.listStatus.SetText(errorText(err))
			return
		}
		v.rows = rows
		v.listStatus.SetText(T("appr.count", "n", fmt.Sprint(len(rows)), "limit", fmt.Sprint(u.D.PendingLimit)))
		v.list.UnselectAll()
		v.list.Refresh()
	}
	decide := func(approve bool) {
		if v.selected == "" {
			v.status.SetText(T("appr.pick"))
			return
		}
		if !approve && v.reason.Text == "" {
			v.status.SetText(errorText(fmt.Errorf("%w: %w", errNeedReason, auth.ErrBadUser)))
			u.Win.Canvas().Focus(v.reason)
			return
		}
		sup, err := u.D.Users.Verify(u.ctx, v.supName.Text, v.supPass.Text, auth.Supervisor)
		v.supPass.SetText("")
		if err != nil {
			v.status.SetText(errorText(err))
			return
		}
		if approve {
			err = u.D.Apps.Approve(u.ctx, sup, v.selected, v.reason.Text)
		} else {
			err = u.D.Apps.Reject(u.ctx, sup, v.selected, v.reason.Text)
		}
		if err != nil {
			v.status.SetText(errorText(err))
			return
		}
		key := "appr.approved"
		if !approve {
			key = "appr.rejected"
		}
		v.status.SetText(T(key, "id", shortID(v.selected)))
		v.selected = ""
		v.reason.SetText("")
		v.detail.Objects = []fyne.CanvasObject{wrapped(T("appr.pick"))}
		v.detail.Refresh()
		reload()
	}
	v.approve = u.primary(T("appr.approve"), func() { decide(true) })
	v.reject = u.button(T("appr.reject"), func() { decide(false) })
	v.reject.Importance = widget.DangerImportance
	v.supPass.OnSubmitted = func(string) { decide(true) }

	v.list = widget.NewList(func() int { return len(v.rows) }, func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := v.rows[i]
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %s  %s", shortID(r.ID), r.IDMasked, r.CreatedAt.Local().Format("15:04 02/01")))
		})
	v.list.OnSelected = func(i widget.ListItemID) {
		u.touch()
		v.selected = v.rows[i].ID
		u.showEvidence(v, v.rows[i].ID)
	}
	top := container.NewHBox(heading(T("appr.title")), u.button(T("btn.home")+"  (Ctrl+1)", u.showHome), u.button(T("btn.refresh"), reload))
	decision := widget.NewForm(
		widget.NewFormItem(T("appr.reason"), v.reason),
		widget.NewFormItem(T("appr.supervisor"), v.supName),
		widget.NewFormItem(T("login.password"), v.supPass),
	)
	bottom := container.NewVBox(widget.NewSeparator(), decision, container.NewHBox(v.approve, v.reject), v.status)
	left := container.NewBorder(v.listStatus, nil, nil, nil, v.list)
	split := container.NewHSplit(left, container.NewVScroll(v.detail))
	split.Offset = 0.3
	u.approvV = v
	u.show("approvals", container.NewBorder(top, bottom, nil, nil, split))
	reload()
}

// showEvidence fills the evidence view: chip photo beside the live
// portrait, the scores and reasons, and each fingerprint with its minutiae.
func (u *UI) showEvidence(v *approvalsView, id string) {
	d, err := u.D.Apps.Detail(u.ctx, u.User(), id)
	if err != nil {
		v.detail.Objects = []fyne.CanvasObject{wrapped(errorText(err))}
		v.detail.Refresh()
		return
	}
	photos := container.NewGridWithColumns(2,
		container.NewBorder(bold(T("appr.chip_photo")), nil, nil, nil, picture(d.ChipPhoto, 240, 300)),
		container.NewBorder(bold(T("appr.live_photo")), nil, nil, nil, picture(d.Portrait, 240, 300)),
	)
	objs := []fyne.CanvasObject{
		bold(d.FullName + "  ·  " + d.IDMasked + "  ·  " + T("appr.officer", "name", d.Officer)),
		outcomeLabel(d.Outcome),
		photos,
		bold(T("appr.checks")),
	}
	for _, c := range d.Checks {
		mark := "✗"
		if c.Passed {
			mark = "✓"
		}
		objs = append(objs, widget.NewLabel(fmt.Sprintf("%s %s: %.3f (%s %.3f) %s", mark, T("check."+c.Name), c.Score, T("appr.threshold"), c.Threshold, c.Detail)))
	}
	for _, r := range d.Reasons {
		objs = append(objs, wrapped("• "+tm(r.Code, r.Args)))
	}
	var fingers []fyne.CanvasObject
	for _, f := range d.Fingers {
		label := T("finger."+f.Position) + fmt.Sprintf(" — %s %.0f", T("fing.quality"), f.Quality)
		if f.Missing {
			label = T("finger."+f.Position) + " — " + T("fing.missing") + ": " + f.Reason
			fingers = append(fingers, container.NewBorder(bold(label), nil, nil, nil, picture(f.Photo, 200, 200)))
			continue
		}
		img := f.Image
		if img != nil && len(f.Minutiae) > 0 {
			img = drawMinutiae(img, f.Minutiae)
			label += fmt.Sprintf(" · %d %s", len(f.Minutiae), T("appr.minutiae"))
		}
		fingers = append(fingers, container.NewBorder(bold(label), nil, nil, nil, picture(img, 200, 240)))
	}
	if len(fingers) > 0 {
		objs = append(objs, bold(T("appr.fingers")), container.NewGridWithColumns(2, fingers...))
	}
	v.detail.Objects = objs
	v.detail.Refresh()
}
