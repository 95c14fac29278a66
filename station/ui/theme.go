package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// stationTheme is fyne's default theme with larger type: officers read the
// screen at arm's length all day.
type stationTheme struct{ fyne.Theme }

// Theme returns the station's theme.
func Theme() fyne.Theme { return stationTheme{theme.DefaultTheme()} }

func (t stationTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 17
	case theme.SizeNameHeadingText:
		return 26
	case theme.SizeNameSubHeadingText:
		return 20
	case theme.SizeNameCaptionText:
		return 14
	case theme.SizeNameInputBorder:
		return 2
	}
	return t.Theme.Size(n)
}

func (t stationTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

var (
	colorOK     = color.NRGBA{0x1b, 0x7f, 0x3a, 0xff}
	colorReview = color.NRGBA{0xb2, 0x6b, 0x00, 0xff}
	colorBad    = color.NRGBA{0xc6, 0x28, 0x28, 0xff}
)
