package ui

import (
	"os"
	"strings"
	"sync"

	"fyne.io/fyne/v2/lang"

	"github.com/dinhdanh/dinhdanh/assets"
)

var (
	langMu  sync.Mutex
	curLang = "vi"
)

// SetLanguage selects the interface language, "vi" (the default) or "en",
// and loads the translations through fyne's lang package. Fyne picks the
// language from the process locale, so this sets $LANGUAGE (and a UTF-8
// message locale when the process runs under the C locale, which would
// make fyne ignore $LANGUAGE) before (re)loading.
func SetLanguage(l string) error {
	if l != "en" {
		l = "vi"
	}
	langMu.Lock()
	defer langMu.Unlock()
	curLang = l
	os.Setenv("LANGUAGE", l)
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" {
			os.Setenv(k, "C.UTF-8")
		}
		break
	}
	if os.Getenv("LC_ALL") == "" && os.Getenv("LC_MESSAGES") == "" && os.Getenv("LANG") == "" {
		os.Setenv("LC_MESSAGES", "C.UTF-8")
	}
	return lang.AddTranslationsFS(assets.I18n, "i18n")
}

// Language returns the current interface language.
func Language() string {
	langMu.Lock()
	defer langMu.Unlock()
	return curLang
}

// T translates key, filling {{.name}} placeholders from args (pairs of
// name, value). A missing key shows the key itself, which tests catch.
func T(key string, args ...string) string {
	if len(args) == 0 {
		return lang.X(key, key)
	}
	data := map[string]string{}
	for i := 0; i+1 < len(args); i += 2 {
		data[args[i]] = args[i+1]
	}
	return lang.X(key, key, data)
}

// tm translates with a map of arguments.
func tm(key string, args map[string]string) string {
	if len(args) == 0 {
		return T(key)
	}
	return lang.X(key, key, args)
}

func joinLines(ss []string) string { return strings.Join(ss, "\n") }
