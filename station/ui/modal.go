package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// newModal is a dialog with the given content and no buttons of its own.
func newModal(w fyne.Window, title string, content fyne.CanvasObject) dialog.Dialog {
	return dialog.NewCustomWithoutButtons(title, content, w)
}
