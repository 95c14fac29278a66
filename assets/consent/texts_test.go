package consenttext

import "testing"

func TestEveryVersionInEveryLanguage(t *testing.T) {
	entries, err := files.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]bool{}
	for _, e := range entries {
		var v, l string
		n := e.Name()
		for i := 0; i < len(n); i++ {
			if n[i] == '.' {
				v, l = n[:i], n[i+1:len(n)-len(".txt")]
				break
			}
		}
		versions[v] = true
		_ = l
	}
	if !versions[Current] {
		t.Fatalf("current version %s has no files", Current)
	}
	for v := range versions {
		for _, l := range Languages {
			txt, err := Text(v, l)
			if err != nil || len(txt) < 200 {
				t.Errorf("%s/%s: %d bytes, %v", v, l, len(txt), err)
			}
		}
	}
	if _, err := Text("v999", "vi"); err == nil {
		t.Error("unknown version accepted")
	}
}
