package matching

import (
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
	"github.com/dinhdanh/dinhdanh/matcher/face"
	"github.com/dinhdanh/dinhdanh/matcher/face/model"
	"github.com/dinhdanh/dinhdanh/matcher/faceindex"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

var (
	once sync.Once
	rec  *face.Recognizer
	rerr error
)

func engine(t *testing.T) *Face {
	t.Helper()
	dir, err := model.DefaultDir()
	if err != nil {
		t.Skipf("*** SKIPPED: no face model folder: %v ***", err)
	}
	if err := model.Check(dir); err != nil {
		t.Skipf("*** SKIPPED: face models not ready (scripts/facemodel/prepare.sh): %v ***", err)
	}
	once.Do(func() { rec, rerr = face.NewRecognizer(face.Options{ModelDir: dir}) })
	if rerr != nil {
		t.Fatal(rerr)
	}
	m, err := face.DefaultMatcher()
	if err != nil {
		t.Fatal(err)
	}
	return NewFace(rec, m, nil)
}

func photo(t *testing.T, name string) image.Image {
	t.Helper()
	dir := shared.Require(t, "data", "faces", "idols")
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestFaceAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the face models")
	}
	f := engine(t)
	ctx := context.Background()
	// Find, among the shared portraits, two usable photos of one person
	// and one of another (the engine refuses some poses, by design).
	dir := shared.Require(t, "data", "faces", "idols")
	// Two people are enough; these photos are frontal enough for the engine.
	var names []string
	for _, who := range []string{"chaeyeon", "bona"} {
		n, _ := filepath.Glob(filepath.Join(dir, who+"*.jpg"))
		sort.Strings(n)
		names = append(names, n...)
	}
	byPerson := map[string][]image.Image{}
	var people []string
	for _, n := range names {
		if len(people) >= 2 && len(byPerson[people[0]]) >= 2 {
			break
		}
		img := photo(t, filepath.Base(n))
		if d, _, _, err := f.analyse(img, face.ChipPolicy); err != nil || d == nil {
			continue
		}
		who := strings.TrimRight(strings.TrimSuffix(filepath.Base(n), ".jpg"), "0123456789")
		if byPerson[who] == nil {
			people = append(people, who)
		}
		byPerson[who] = append(byPerson[who], img)
	}
	var a, a2, b image.Image
	for _, p := range people {
		if len(byPerson[p]) >= 2 && a == nil {
			a, a2 = byPerson[p][0], byPerson[p][1]
		} else if b == nil {
			b = byPerson[p][0]
		}
	}
	if a == nil || b == nil {
		t.Skip("no usable pair among the shared portraits")
	}
	q, err := f.Assess(a)
	if err != nil || !q.Found || q.Face.Empty() {
		t.Fatalf("Assess: %+v %v", q, err)
	}
	t.Logf("live-policy quality %.2f usable %v problems %v", q.Score, q.Usable, q.Problems)
	dA := mustDesc(t, f, a)
	same := f.score(f.m.Compare(dA, mustDesc(t, f, a2)))
	diff := f.score(f.m.Compare(dA, mustDesc(t, f, b)))
	// The engine's accuracy is measured by its own evaluation; here only
	// the ordering and the scale (0–100, threshold at the target FMR).
	if same.Value <= diff.Value || same.Threshold != 60 || diff.Match {
		t.Errorf("same person %+v, different %+v", same, diff)
	}
	t.Logf("same %+v different %+v", same, diff)
	if _, err := f.FaceCache(ctx, "001090000123", a); !errors.Is(err, workflow.ErrNotInCache) {
		t.Errorf("no cache: %v", err)
	}
	if _, err := f.Search(ctx, a, nil, 5); !errors.Is(err, workflow.ErrUnavailable) {
		t.Errorf("empty index: %v", err)
	}
	if _, err := f.FingerCache(ctx, "001090000123", nil); !errors.Is(err, workflow.ErrUnavailable) {
		t.Errorf("finger: %v", err)
	}
	// A grey card has no face.
	g := image.NewGray(image.Rect(0, 0, 320, 240))
	q, err = f.Assess(g)
	if err != nil || q.Usable || len(q.Problems) == 0 || q.Problems[0] != "quality.no_face" {
		t.Errorf("blank frame: %+v %v", q, err)
	}
}

func mustDesc(t *testing.T, f *Face, img image.Image) *faceindex.Descriptor {
	t.Helper()
	d, q, _, err := f.analyse(img, face.ChipPolicy)
	if err != nil || d == nil {
		t.Skipf("photo not usable: %v %v", q, err)
	}
	return d
}
