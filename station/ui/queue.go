package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// States lists the application states in the order of their life.
var States = []string{"verified", "approved", "rejected", "queued", "uploaded", "accepted", "upstream_rejected"}

type queueView struct {
	filter *widget.Select
	list   *widget.List
	rows   []Row
	status *widget.Label
}

// deadlineNote says how the 3-working-day limit stands for an application
// not yet decided upstream, and its colour.
func (u *UI) deadlineNote(r Row) (string, color.Color) {
	switch r.State {
	case "accepted", "upstream_rejected", "rejected":
		return "", nil
	}
	due := workflow.AddWorkingDays(r.CreatedAt, workflow.DecisionDays)
	left := workflow.WorkingDaysLeft(u.D.Now(), due)
	switch {
	case left < 0:
		return T("queue.overdue", "days", fmt.Sprint(-left)), colorBad
	case left <= 1:
		return T("queue.due_soon", "date", due.Local().Format("02/01")), colorReview
	}
	return T("queue.due", "date", due.Local().Format("02/01")), nil
}

func (u *UI) showQueue() {
	if !u.allowed(access.ViewCitizenData) {
		u.showError(access.ErrDenied)
		return
	}
	v := &queueView{status: wrapped("")}
	labels := []string{T("queue.all")}
	for _, s := range States {
		labels = append(labels, T("state."+s))
	}
	load := func(idx int) {
		if u.D.Apps == nil {
			v.status.SetText(T("home.no_store"))
			return
		}
		state := ""
		if idx > 0 {
			state = States[idx-1]
		}
		rows, err := u.D.Apps.List(u.ctx, state, 500)
		if err != nil {
			v.status.SetText(errorText(err))
			return
		}
		v.rows = rows
		warn := 0
		for _, r := range rows {
			if _, c := u.deadlineNote(r); c != nil {
				warn++
			}
		}
		v.status.SetText(T("queue.count", "n", fmt.Sprint(len(rows)), "warn", fmt.Sprint(warn)))
		v.list.Refresh()
	}
	v.list = widget.NewList(func() int { return len(v.rows) }, func() fyne.CanvasObject {
		due := canvas.NewText("", nil)
		return container.NewGridWithColumns(5, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), due)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		r := v.rows[i]
		cs := o.(*fyne.Container).Objects
		cs[0].(*widget.Label).SetText(shortID(r.ID))
		cs[1].(*widget.Label).SetText(T("state." + r.State))
		cs[2].(*widget.Label).SetText(r.IDMasked)
		cs[3].(*widget.Label).SetText(r.CreatedAt.Local().Format("15:04 02/01/2006"))
		note, c := u.deadlineNote(r)
		t := cs[4].(*canvas.Text)
		t.Text = note
		if c == nil {
			c = fyne.CurrentApp().Settings().Theme().Color("foreground", 0)
		}
		t.Color = c
		t.TextSize = Theme().Size("text")
		t.Refresh()
	})
	v.filter = widget.NewSelect(labels, nil)
	v.filter.OnChanged = func(string) { u.touch(); load(v.filter.SelectedIndex()) }
	header := container.NewGridWithColumns(5, bold(T("queue.col_id")), bold(T("queue.col_state")), bold(T("queue.col_citizen")), bold(T("queue.col_created")), bold(T("queue.col_due")))
	top := container.NewVBox(
		container.NewHBox(heading(T("queue.title")), u.button(T("btn.home")+"  (Ctrl+1)", u.showHome), u.button(T("btn.refresh"), func() { load(v.filter.SelectedIndex()) })),
		container.NewHBox(widget.NewLabel(T("queue.filter")), v.filter), v.status, header,
	)
	u.queueV = v
	u.show("queue", container.NewBorder(top, nil, nil, nil, v.list))
	v.filter.SetSelectedIndex(0)
}

func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
