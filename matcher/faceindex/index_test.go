package faceindex

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// randomDescriptor draws a descriptor shaped like dlib's: components about
// N(0, 0.12²), norm near 1.36.
func randomDescriptor(r *rand.Rand) Descriptor {
	var d Descriptor
	for i := range d {
		d[i] = float32(r.NormFloat64() * 0.12)
	}
	return d
}

// bruteForce is the definition Search must reproduce.
func bruteForce(ids []ID, vecs []Descriptor, q *Descriptor, k int) []Result {
	res := make([]Result, len(ids))
	for i := range ids {
		res[i] = Result{ids[i], Distance(q, &vecs[i])}
	}
	slices.SortFunc(res, func(a, b Result) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return res[:min(k, len(res))]
}

func TestKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, name := range Kernels() {
		k := kernels[name]
		for n := 0; n <= 13; n++ {
			q := make([]int8, Dim)
			base := make([]int8, n*Dim)
			for i := range q {
				q[i] = int8(r.IntN(255) - 127)
			}
			for i := range base {
				base[i] = int8(r.IntN(255) - 127)
			}
			if n == 3 { // the extremes: every difference ±254
				for i := range q {
					q[i] = 127
					base[2*Dim+i] = -127
				}
			}
			want := make([]int32, n)
			got := make([]int32, n)
			sqDistsGo(q, base, want)
			k.fn(q, base, got)
			if !slices.Equal(got, want) {
				t.Fatalf("kernel %s, n=%d: got %v want %v", name, n, got, want)
			}
		}
	}
	t.Logf("kernels on this CPU: %v (best %s)", Kernels(), BestKernel())
}

func TestSearchExact(t *testing.T) {
	defer func(m int) { minPerWorker = m }(minPerWorker)
	minPerWorker = 500 // exercise the parallel split on a small index
	r := rand.New(rand.NewPCG(3, 4))
	const n = 3000
	ids := make([]ID, n)
	vecs := make([]Descriptor, n)
	for i := range ids {
		ids[i] = ID(r.Uint64() >> 1)
		vecs[i] = randomDescriptor(r)
	}
	// Near-duplicates and exact duplicates under other IDs: ties and
	// distances below the quantization step.
	for i := 0; i < 20; i++ {
		vecs[n-1-i] = vecs[i]
		if i%2 == 0 {
			vecs[n-1-i][i] += 1e-4
		}
	}
	// Components outside the int8 range are clamped: still exact.
	vecs[7][0], vecs[8][5] = 0.9, -2

	for _, kern := range Kernels() {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/workers=%d", kern, workers), func(t *testing.T) {
				ix, err := New(Options{Kernel: kern, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				for i := range ids {
					if err := ix.Add(ids[i], vecs[i]); err != nil {
						t.Fatal(err)
					}
				}
				for qi := 0; qi < 60; qi++ {
					var q Descriptor
					switch qi % 3 {
					case 0:
						q = randomDescriptor(r)
					case 1: // a probe near an enrolled face, as in real 1:N
						q = vecs[r.IntN(n)]
						for i := range q {
							q[i] += float32(r.NormFloat64() * 0.03)
						}
					case 2:
						q = vecs[r.IntN(20)] // duplicated: exact ties
					}
					for _, k := range []int{1, 5, 50} {
						got, st, err := ix.SearchWithStats(q, k)
						if err != nil {
							t.Fatal(err)
						}
						want := bruteForce(ids, vecs, &q, k)
						if !slices.Equal(got, want) {
							t.Fatalf("query %d k=%d:\n got %v\nwant %v", qi, k, got, want)
						}
						if st.Candidates < k || st.Scanned != n {
							t.Fatalf("stats %+v", st)
						}
					}
				}
			})
		}
	}
}

func TestAddRemoveReplace(t *testing.T) {
	ix, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	a, b, c := randomDescriptor(r), randomDescriptor(r), randomDescriptor(r)
	for id, d := range map[ID]Descriptor{1: a, 2: b, 3: c} {
		if err := ix.Add(id, d); err != nil {
			t.Fatal(err)
		}
	}
	if res, _ := ix.Search(b, 1); res[0].ID != 2 || res[0].Distance != 0 {
		t.Fatalf("search b: %v", res)
	}
	if !ix.Remove(1) || ix.Remove(1) {
		t.Fatal("remove 1 twice should succeed once")
	}
	if err := ix.Add(2, c); err != nil { // replace
		t.Fatal(err)
	}
	if ix.Len() != 2 {
		t.Fatalf("len %d, want 2", ix.Len())
	}
	res, _ := ix.Search(c, 5)
	if len(res) != 2 || res[0].Distance != 0 || res[1].Distance != 0 || res[0].ID != 2 || res[1].ID != 3 {
		t.Fatalf("after replace: %v", res)
	}
	if d, ok := ix.Get(2); !ok || d != c {
		t.Fatal("get 2 after replace")
	}
	if _, ok := ix.Get(1); ok {
		t.Fatal("get 1 after remove")
	}
	if res, err := ix.Search(a, 0); err != nil || res != nil {
		t.Fatal("k=0 should return nothing")
	}
	bad := a
	bad[3] = float32(math.NaN())
	if err := ix.Add(9, bad); !errors.Is(err, ErrBadDescriptor) {
		t.Fatalf("add NaN: %v", err)
	}
	if _, err := ix.Search(bad, 1); !errors.Is(err, ErrBadQuery) {
		t.Fatalf("search NaN: %v", err)
	}
	if _, err := New(Options{Kernel: "nope"}); err == nil {
		t.Fatal("unknown kernel accepted")
	}
	empty, _ := New(Options{})
	if res, err := empty.Search(a, 3); err != nil || len(res) != 0 {
		t.Fatal("empty index search")
	}
}

// TestConcurrentAddRemoveSearch runs writers and searchers together; run
// with -race. Every search must still be exact for the snapshot it saw: IDs
// 0..base-1 never change, so each one's own descriptor is always found first.
func TestConcurrentAddRemoveSearch(t *testing.T) {
	defer func(m int) { minPerWorker = m }(minPerWorker)
	minPerWorker = 256
	ix, _ := New(Options{Workers: 3})
	r := rand.New(rand.NewPCG(7, 8))
	const base = 1000
	fixed := make([]Descriptor, base)
	for i := range fixed {
		fixed[i] = randomDescriptor(r)
		ix.Add(ID(i), fixed[i])
	}
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr := rand.New(rand.NewPCG(uint64(w), 9))
			for i := 0; i < 400; i++ {
				id := ID(base + w*100000 + rr.IntN(300))
				if rr.IntN(2) == 0 {
					ix.Add(id, randomDescriptor(rr))
				} else {
					ix.Remove(id)
				}
			}
		}()
	}
	for s := 0; s < 3; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				id := (s*100 + i) % base
				res, err := ix.Search(fixed[id], 3)
				if err != nil {
					errc <- err
					return
				}
				if res[0].ID != ID(id) || res[0].Distance != 0 {
					errc <- fmt.Errorf("search for %d found %v", id, res)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}

type memStore struct {
	ids  []ID
	vecs []Descriptor
	fail error
}

func (m *memStore) EachDescriptor(ctx context.Context, fn func(ID, Descriptor) error) error {
	for i := range m.ids {
		if err := fn(m.ids[i], m.vecs[i]); err != nil {
			return err
		}
	}
	return m.fail
}

func (m *memStore) PutDescriptor(ctx context.Context, id ID, d Descriptor) error {
	if m.fail != nil {
		return m.fail
	}
	m.ids = append(m.ids, id)
	m.vecs = append(m.vecs, d)
	return nil
}

func TestLoadSave(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	src := &memStore{}
	for i := 0; i < 100; i++ {
		src.ids = append(src.ids, ID(i*7))
		src.vecs = append(src.vecs, randomDescriptor(r))
	}
	ix, _ := New(Options{})
	if err := ix.Load(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	ix.Remove(7)
	dst := &memStore{}
	if err := ix.Save(context.Background(), dst); err != nil {
		t.Fatal(err)
	}
	if len(dst.ids) != 99 {
		t.Fatalf("saved %d", len(dst.ids))
	}
	for i, id := range dst.ids {
		if d, ok := ix.Get(id); !ok || d != dst.vecs[i] {
			t.Fatalf("saved %d differs", id)
		}
	}
	boom := errors.New("disk gone")
	if err := ix.Save(context.Background(), &memStore{fail: boom}); !errors.Is(err, boom) {
		t.Fatalf("save error: %v", err)
	}
	if err := ix.Load(context.Background(), &memStore{fail: boom}); !errors.Is(err, boom) {
		t.Fatalf("load error: %v", err)
	}
}

func TestDescriptorEncoding(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	d := randomDescriptor(r)
	b, _ := d.MarshalBinary()
	var got Descriptor
	if err := got.UnmarshalBinary(b); err != nil || got != d {
		t.Fatalf("round trip: %v", err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"short", b[:100]},
		{"magic", append([]byte("FMR\x00"), b[4:]...)},
		{"nan", func() []byte { c := slices.Clone(b); copy(c[8:], []byte{0, 0, 0xc0, 0x7f}); return c }()},
		{"huge", func() []byte { c := slices.Clone(b); copy(c[8:], []byte{0, 0, 0x80, 0x47}); return c }()},
	} {
		if err := got.UnmarshalBinary(tc.b); !errors.Is(err, ErrBadDescriptor) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func FuzzUnmarshalDescriptor(f *testing.F) {
	d := randomDescriptor(rand.New(rand.NewPCG(1, 1)))
	b, _ := d.MarshalBinary()
	f.Add(b)
	f.Add([]byte{})
	f.Add(b[:EncodedLen-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Descriptor
		if err := d.UnmarshalBinary(b); err != nil {
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("accepted an invalid descriptor: %v", err)
		}
		again, _ := d.MarshalBinary()
		var d2 Descriptor
		if err := d2.UnmarshalBinary(again); err != nil || d2 != d {
			t.Fatal("re-encoding changed the descriptor")
		}
		// Every accepted descriptor must be searchable without error.
		ix, _ := New(Options{})
		if err := ix.Add(1, d); err != nil {
			t.Fatal(err)
		}
		if res, err := ix.Search(d, 1); err != nil || res[0].ID != 1 {
			t.Fatalf("search: %v %v", res, err)
		}
	})
}

// TestWideDescriptors: descriptors far outside the int8 range are ranked
// exactly too, also when they are most of the index.
func TestWideDescriptors(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	ix, _ := New(Options{})
	var ids []ID
	var vecs []Descriptor
	for i := 0; i < 40; i++ {
		d := randomDescriptor(r)
		if i%4 != 0 {
			for j := range d {
				d[j] *= 8 // mostly clamped
			}
		}
		ids = append(ids, ID(i))
		vecs = append(vecs, d)
		ix.Add(ID(i), d)
	}
	for qi := 0; qi < 20; qi++ {
		q := vecs[qi]
		q[0] += 0.01
		for _, k := range []int{1, 5, 15} {
			got, _ := ix.Search(q, k)
			if want := bruteForce(ids, vecs, &q, k); !slices.Equal(got, want) {
				t.Fatalf("q %d k %d: got %v want %v", qi, k, got, want)
			}
		}
	}
}
