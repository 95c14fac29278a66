// Package auth is the station's users and log-in: officers, supervisors
// and technicians with bcrypt-hashed passwords, lockout after repeated
// failures, sessions that end after a period of inactivity (with a warning
// first), and the first-run set-up that names the station and creates the
// first supervisor.
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/store"
)

// Role is what a user may do at the station.
type Role string

// The three roles.
const (
	Officer    Role = "officer"
	Supervisor Role = "supervisor"
	Technician Role = "technician"
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r == Officer || r == Supervisor || r == Technician }

// Errors of log-in and user management. ErrBadCredentials never says
// whether the name or the password was wrong.
var (
	ErrBadCredentials = errors.New("wrong user name or password")
	ErrLocked         = errors.New("account locked after too many failed log-ins")
	ErrDisabled       = errors.New("account disabled")
	ErrWeakPassword   = errors.New("password too weak")
	ErrUserExists     = errors.New("user already exists")
	ErrBadUser        = errors.New("user details not valid")
	ErrSetupDone      = errors.New("station already set up")
)

// User is one station user, without the password hash.
type User struct {
	Name      string
	FullName  string
	Role      Role
	Active    bool
	LastLogin time.Time
}

// Users is the user table with its lockout policy.
type Users struct {
	DB *store.DB
	// Audit receives auth.* entries; nil records nothing.
	Audit audit.Recorder
	// Cost is the bcrypt cost; zero means 12.
	Cost int
	// MaxFailures failed log-ins in a row lock the account for LockFor.
	// Zero values mean 5 and 15 minutes.
	MaxFailures int
	LockFor     time.Duration
	// Now returns the time; nil means time.Now.
	Now func() time.Time
}

func (u *Users) now() time.Time {
	if u.Now != nil {
		return u.Now().UTC()
	}
	return time.Now().UTC()
}

func (u *Users) cost() int {
	if u.Cost == 0 {
		return 12
	}
	return u.Cost
}

func (u *Users) maxFailures() int {
	if u.MaxFailures == 0 {
		return 5
	}
	return u.MaxFailures
}

func (u *Users) lockFor() time.Duration {
	if u.LockFor == 0 {
		return 15 * time.Minute
	}
	return u.LockFor
}

// CheckPassword enforces the password policy: at least 10 characters with
// a letter and a digit, at most 72 bytes (bcrypt's limit).
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < 10 {
		return fmt.Errorf("%w: use at least 10 characters", ErrWeakPassword)
	}
	if len(pw) > 72 {
		return fmt.Errorf("%w: use at most 72 bytes", ErrWeakPassword)
	}
	var letter, digit bool
	for _, r := range pw {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	if !letter || !digit {
		return fmt.Errorf("%w: mix letters and digits", ErrWeakPassword)
	}
	return nil
}

func checkName(name string) error {
	if len(name) < 2 || len(name) > 32 {
		return fmt.Errorf("%w: user name must be 2 to 32 characters", ErrBadUser)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return fmt.Errorf("%w: user name may use a-z, 0-9, . _ -", ErrBadUser)
		}
	}
	return nil
}

// Create adds a user.
func (u *Users) Create(ctx context.Context, by string, nu User, password string) error {
	if err := u.DB.Tx(ctx, func(tx *sql.Tx) error { return u.create(ctx, tx, nu, password) }); err != nil {
		return err
	}
	return u.record(ctx, by, u.roleOf(ctx, by), "user.created", strings.ToLower(strings.TrimSpace(nu.Name)), "ok", map[string]string{"role": string(nu.Role)})
}

// create inserts the user inside tx; the caller audits after the commit
// (the audit log takes its own write transaction).
func (u *Users) create(ctx context.Context, tx *sql.Tx, nu User, password string) error {
	nu.Name = strings.ToLower(strings.TrimSpace(nu.Name))
	if err := checkName(nu.Name); err != nil {
		return err
	}
	if strings.TrimSpace(nu.FullName) == "" {
		return fmt.Errorf("%w: full name is empty", ErrBadUser)
	}
	if !nu.Role.Valid() {
		return fmt.Errorf("%w: unknown role %q", ErrBadUser, nu.Role)
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), u.cost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	now := u.now().Format(time.RFC3339Nano)
	_, err = tx.ExecContext(ctx, `INSERT INTO users(name, full_name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		nu.Name, strings.TrimSpace(nu.FullName), string(nu.Role), string(hash), now, now)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return fmt.Errorf("%w: %s", ErrUserExists, nu.Name)
		}
		return fmt.Errorf("create user %s: %w", nu.Name, err)
	}
	return nil
}

// record audits an action. role is the actor's role when known; entries
// about unknown users and set-up are recorded under the system role.
func (u *Users) record(ctx context.Context, actor string, role Role, action, object, outcome string, detail map[string]string) error {
	if u.Audit == nil {
		return nil
	}
	if actor == "" {
		actor = "system"
	}
	r := string(role)
	if !role.Valid() {
		r = "system"
	}
	return u.Audit.Record(ctx, audit.Entry{Actor: actor, Role: r, Action: action, Object: object, Outcome: outcome, Detail: detail})
}

// roleOf looks up the role of the user by, for audit entries.
func (u *Users) roleOf(ctx context.Context, name string) Role {
	var r string
	_ = u.DB.QueryRowContext(ctx, `SELECT role FROM users WHERE name = ?`, name).Scan(&r)
	return Role(r)
}

// dummyHash is compared against when the user does not exist, so that an
// unknown name takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("dinhdanh-no-such-user"), bcrypt.MinCost)

// Login checks a name and password. After MaxFailures wrong passwords in a
// row the account is locked for LockFor, even for the right password.
func (u *Users) Login(ctx context.Context, name, password string) (User, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	var (
		usr                User
		role, hash, locked string
		lastLogin          string
		active, failures   int
	)
	err := u.DB.QueryRowContext(ctx, `SELECT name, full_name, role, password_hash, active, failed_logins, locked_until, last_login FROM users WHERE name = ?`, name).
		Scan(&usr.Name, &usr.FullName, &role, &hash, &active, &failures, &locked, &lastLogin)
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		_ = u.record(ctx, name, "", "auth.login_failed", name, "denied", map[string]string{"why": "unknown_user"})
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("log in: %w", err)
	}
	usr.Role, usr.Active = Role(role), active == 1
	now := u.now()
	if lt, err := time.Parse(time.RFC3339Nano, locked); err == nil && now.Before(lt) {
		_ = u.record(ctx, name, usr.Role, "auth.login_failed", name, "denied", map[string]string{"why": "locked"})
		return User{}, fmt.Errorf("%w until %s", ErrLocked, lt.Local().Format("15:04"))
	}
	if !usr.Active {
		_ = u.record(ctx, name, usr.Role, "auth.login_failed", name, "denied", map[string]string{"why": "disabled"})
		return User{}, ErrDisabled
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		failures++
		lockUntil := ""
		if failures >= u.maxFailures() {
			lockUntil = now.Add(u.lockFor()).Format(time.RFC3339Nano)
			failures = 0
		}
		if _, err := u.DB.ExecContext(ctx, `UPDATE users SET failed_logins = ?, locked_until = ?, updated_at = ? WHERE name = ?`,
			failures, lockUntil, now.Format(time.RFC3339Nano), name); err != nil {
			return User{}, fmt.Errorf("log in: record failure: %w", err)
		}
		if lockUntil != "" {
			_ = u.record(ctx, name, usr.Role, "auth.locked_out", name, "denied", nil)
			return User{}, fmt.Errorf("%w for %s", ErrLocked, u.lockFor())
		}
		_ = u.record(ctx, name, usr.Role, "auth.login_failed", name, "denied", map[string]string{"why": "password"})
		return User{}, ErrBadCredentials
	}
	if _, err := u.DB.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = '', last_login = ?, updated_at = ? WHERE name = ?`,
		now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano), name); err != nil {
		return User{}, fmt.Errorf("log in: %w", err)
	}
	usr.LastLogin, _ = time.Parse(time.RFC3339Nano, lastLogin)
	if err := u.record(ctx, name, usr.Role, "auth.login", name, "ok", nil); err != nil {
		return User{}, fmt.Errorf("log in: audit: %w", err)
	}
	return usr, nil
}

// Verify re-checks a user's password for an action that needs its own
// authentication (a supervisor's approval), and that the user has the
// role. It counts towards the lockout like a log-in.
func (u *Users) Verify(ctx context.Context, name, password string, role Role) (User, error) {
	usr, err := u.Login(ctx, name, password)
	if err != nil {
		return User{}, err
	}
	if usr.Role != role {
		_ = u.record(ctx, name, usr.Role, "access.denied", name, "denied", map[string]string{"need": string(role)})
		return User{}, fmt.Errorf("%w: %s is not a %s", ErrBadCredentials, name, role)
	}
	return usr, nil
}

// SetPassword replaces a user's password.
func (u *Users) SetPassword(ctx context.Context, by, name, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), u.cost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	res, err := u.DB.ExecContext(ctx, `UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = '', updated_at = ? WHERE name = ?`,
		string(hash), u.now().Format(time.RFC3339Nano), name)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set password: %s: %w", name, store.ErrNotFound)
	}
	return u.record(ctx, by, u.roleOf(ctx, by), "auth.password_changed", name, "ok", nil)
}

// SetActive enables or disables a user.
func (u *Users) SetActive(ctx context.Context, by, name string, active bool) error {
	v := 0
	if active {
		v = 1
	}
	res, err := u.DB.ExecContext(ctx, `UPDATE users SET active = ?, updated_at = ? WHERE name = ?`, v, u.now().Format(time.RFC3339Nano), name)
	if err != nil {
		return fmt.Errorf("set active: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set active: %s: %w", name, store.ErrNotFound)
	}
	action := "user.disabled"
	if active {
		action = "user.enabled"
	}
	return u.record(ctx, by, u.roleOf(ctx, by), action, name, "ok", nil)
}

// List returns all users by name.
func (u *Users) List(ctx context.Context) ([]User, error) {
	rows, err := u.DB.QueryContext(ctx, `SELECT name, full_name, role, active, last_login FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var usr User
		var role, last string
		var active int
		if err := rows.Scan(&usr.Name, &usr.FullName, &role, &active, &last); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		usr.Role, usr.Active = Role(role), active == 1
		usr.LastLogin, _ = time.Parse(time.RFC3339Nano, last)
		out = append(out, usr)
	}
	return out, rows.Err()
}
