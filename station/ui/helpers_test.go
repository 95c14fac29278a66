package ui

import (
	"encoding/json"
	"regexp"
)

var keyRe = regexp.MustCompile(`(?:\bT\(|"reason\.|"err\.|"next\.)"?([a-z_]+\.[a-z_0-9.]*)"`)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
