// Package consenttext holds the consent notices shown to citizens, one
// file per version and language (vN.LANG.txt). A published version is never
// edited: its SHA-256 is stored with every consent given on it. A changed
// notice is a new version.
package consenttext

import (
	"embed"
	"fmt"
)

//go:embed v*.txt
var files embed.FS

// Current is the version new consents are recorded on.
const Current = "v1"

// Languages are the languages every version exists in.
var Languages = []string{"vi", "en"}

// Text returns the notice of version in lang ("vi" or "en").
func Text(version, lang string) (string, error) {
	b, err := files.ReadFile(version + "." + lang + ".txt")
	if err != nil {
		return "", fmt.Errorf("consent text %s/%s: no such version or language", version, lang)
	}
	return string(b), nil
}
