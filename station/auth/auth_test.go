package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/store"
)

type memAudit struct{ entries []audit.Entry }

func (m *memAudit) Record(ctx context.Context, e audit.Entry) error {
	m.entries = append(m.entries, e)
	return nil
}

func newUsers(t testing.TB) (*Users, *memAudit, *time.Time) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	a := &memAudit{}
	return &Users{DB: db, Audit: a, Cost: bcrypt.MinCost, Now: func() time.Time { return now }}, a, &now
}

type keys struct{ id string }

func (k *keys) CreateKeys(ctx context.Context, id string) error { k.id = id; return nil }

func TestSetupThenLogin(t *testing.T) {
	u, a, _ := newUsers(t)
	ctx := context.Background()
	need, err := NeedsSetup(ctx, u.DB)
	if err != nil || !need {
		t.Fatalf("NeedsSetup = %v, %v", need, err)
	}
	k := &keys{}
	s := Setup{StationID: "hn-bd-01", Office: "Công an phường Ba Đình", Supervisor: User{Name: "truong", FullName: "Trần Văn Trưởng", Role: Officer}, Password: "matkhau2026"}
	if err := u.RunSetup(ctx, Setup{StationID: "x", Office: "o"}, k); !errors.Is(err, ErrBadUser) {
		t.Fatalf("bad station ID: %v", err)
	}
	if err := u.RunSetup(ctx, s, k); err != nil {
		t.Fatal(err)
	}
	if k.id != "HN-BD-01" {
		t.Errorf("keys created for %q", k.id)
	}
	if err := u.RunSetup(ctx, s, k); !errors.Is(err, ErrSetupDone) {
		t.Fatalf("second set-up: %v", err)
	}
	if v, _ := u.DB.Setting(ctx, SettingOffice); v != "Công an phường Ba Đình" {
		t.Errorf("office %q", v)
	}
	usr, err := u.Login(ctx, "Truong ", "matkhau2026")
	if err != nil || usr.Role != Supervisor {
		t.Fatalf("login: %+v %v", usr, err)
	}
	var hash string
	u.DB.QueryRow(`SELECT password_hash FROM users WHERE name='truong'`).Scan(&hash)
	if !strings.HasPrefix(hash, "$2") || strings.Contains(hash, "matkhau") {
		t.Errorf("stored password is not a bcrypt hash: %q", hash[:4])
	}
	last := a.entries[len(a.entries)-1]
	if last.Action != "auth.login" || last.Outcome != "ok" {
		t.Errorf("last audit %+v", last)
	}
}

func TestLockout(t *testing.T) {
	u, _, now := newUsers(t)
	ctx := context.Background()
	if err := u.Create(ctx, "admin", User{Name: "canbo1", FullName: "Cán bộ Một", Role: Officer}, "matkhau2026"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, err := u.Login(ctx, "canbo1", "sai"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := u.Login(ctx, "canbo1", "sai"); !errors.Is(err, ErrLocked) {
		t.Fatalf("5th failure: %v", err)
	}
	if _, err := u.Login(ctx, "canbo1", "matkhau2026"); !errors.Is(err, ErrLocked) {
		t.Fatalf("right password while locked: %v", err)
	}
	*now = now.Add(16 * time.Minute)
	if _, err := u.Login(ctx, "canbo1", "matkhau2026"); err != nil {
		t.Fatalf("after lock expired: %v", err)
	}
	if _, err := u.Login(ctx, "nobody", "matkhau2026"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown user: %v", err)
	}
	if err := u.SetActive(ctx, "admin", "canbo1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Login(ctx, "canbo1", "matkhau2026"); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled: %v", err)
	}
}

func TestVerifyNeedsRole(t *testing.T) {
	u, _, _ := newUsers(t)
	ctx := context.Background()
	u.Create(ctx, "admin", User{Name: "canbo1", FullName: "A", Role: Officer}, "matkhau2026")
	u.Create(ctx, "admin", User{Name: "giamsat", FullName: "B", Role: Supervisor}, "giamsat2026")
	if _, err := u.Verify(ctx, "canbo1", "matkhau2026", Supervisor); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("officer as supervisor: %v", err)
	}
	if _, err := u.Verify(ctx, "giamsat", "giamsat2026", Supervisor); err != nil {
		t.Fatal(err)
	}
	if err := u.Create(ctx, "admin", User{Name: "giamsat", FullName: "B", Role: Supervisor}, "giamsat2026"); !errors.Is(err, ErrUserExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := u.SetPassword(ctx, "admin", "canbo1", "moi2026moi"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Login(ctx, "canbo1", "moi2026moi"); err != nil {
		t.Fatal(err)
	}
	us, err := u.List(ctx)
	if err != nil || len(us) != 2 {
		t.Fatalf("List = %v, %v", us, err)
	}
}

func TestPasswordAndNameRules(t *testing.T) {
	for pw, ok := range map[string]bool{"short1": false, "onlyletters": false, "1234567890": false, "matkhau2026": true, "mậtkhẩu2026": true, strings.Repeat("a1", 40): false} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v", pw, err)
		}
	}
	u, _, _ := newUsers(t)
	for _, nu := range []User{{Name: "A B", FullName: "x", Role: Officer}, {Name: "ok", FullName: "", Role: Officer}, {Name: "ok", FullName: "x", Role: "admin"}} {
		if err := u.Create(context.Background(), "t", nu, "matkhau2026"); !errors.Is(err, ErrBadUser) {
			t.Errorf("Create(%+v) = %v", nu, err)
		}
	}
}

func TestIdleSession(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	s := NewSession(User{Name: "a"}, t0, 10*time.Minute, time.Minute)
	if st, left := s.Check(t0.Add(5 * time.Minute)); st != Active || left != 5*time.Minute {
		t.Fatalf("5 min: %v %v", st, left)
	}
	if st, _ := s.Check(t0.Add(9*time.Minute + 30*time.Second)); st != Warning {
		t.Fatalf("9.5 min: %v", st)
	}
	s.Touch(t0.Add(9*time.Minute + 40*time.Second))
	if st, _ := s.Check(t0.Add(15 * time.Minute)); st != Active {
		t.Fatalf("after touch: %v", st)
	}
	if st, _ := s.Check(t0.Add(20 * time.Minute)); st != Expired {
		t.Fatalf("20 min: %v", st)
	}
	s.Touch(t0.Add(21 * time.Minute))
	if st, _ := s.Check(t0.Add(21 * time.Minute)); st != Expired {
		t.Fatal("touch revived an expired session")
	}
}
