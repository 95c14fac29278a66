// Package assets holds the station's embedded resources: translations
// (i18n/vi.json, i18n/en.json) in go-i18n's flat JSON format, loaded
// through fyne.io/fyne/v2/lang.
package assets

import "embed"

// I18n holds i18n/*.json, one file per language.
//
//go:embed i18n/*.json
var I18n embed.FS
