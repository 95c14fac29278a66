// Package subject answers data-subject requests: export everything the
// station holds about one citizen, and erase it where the law allows.
//
// The data lives in several areas (applications and their evidence, the
// template cache, consent records, the audit log), so the Service only
// orchestrates: it finds the citizen's applications through an
// ApplicationFinder and asks every registered Provider for its part. Both
// requests need a supervisor (access.ExportSubject, access.EraseSubject)
// and are audited with the ID number masked.
package subject

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/idnum"
)

// Query names the citizen a request is about.
type Query struct {
	// IDNumber is the full 12-digit number. Providers must not log it.
	IDNumber string
	// Masked is idnum.Mask(IDNumber), for audit entries and messages.
	Masked string
	// Apps are the UUIDs of the citizen's applications on this station.
	Apps []string
}

// File is one binary item of an export (an image, a template).
type File struct {
	// Name is a plain file name (letters, digits, '.', '-', '_').
	Name string
	Data []byte
}

// Section is one provider's part of an export.
type Section struct {
	// Data is written as JSON under the provider's name in subject.json.
	Data any
	// Files are written to the provider's folder next to subject.json.
	Files []File
}

// Erasure is what a provider did for an erase request.
type Erasure struct {
	Deleted int `json:"deleted"`
	// Kept explains what was not erased and under which rule, e.g. "audit
	// entries: kept as the access trail the law requires".
	Kept []string `json:"kept,omitempty"`
}

// Provider is one area holding data about citizens.
type Provider interface {
	// Name is a short lower-case name: "applications", "consent".
	Name() string
	Export(ctx context.Context, q Query) (Section, error)
	Erase(ctx context.Context, q Query) (Erasure, error)
}

// ApplicationFinder lists the UUIDs of the applications made on this
// station with an ID number (the application store implements it).
type ApplicationFinder interface {
	ApplicationsFor(ctx context.Context, idNumber string) ([]string, error)
}

// Service runs data-subject requests.
type Service struct {
	Log       *audit.Log
	Finder    ApplicationFinder // nil: no application store in this build
	Providers []Provider
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Manifest describes an export written to a folder.
type Manifest struct {
	Dir       string    `json:"-"`
	Masked    string    `json:"id_number_masked"`
	Apps      int       `json:"applications"`
	Sections  []string  `json:"sections"`
	Files     int       `json:"files"`
	Missing   []string  `json:"not_covered,omitempty"`
	Generated time.Time `json:"generated_at"`
}

var fileNameRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

func (s *Service) query(ctx context.Context, id string) (Query, []string, error) {
	id, err := idnum.Parse(id)
	if err != nil {
		return Query{}, nil, err
	}
	q := Query{IDNumber: id, Masked: idnum.Mask(id)}
	var missing []string
	if s.Finder == nil {
		missing = append(missing, "applications: no application store in this build, applications not looked up")
	} else {
		apps, err := s.Finder.ApplicationsFor(ctx, id)
		if err != nil {
			return q, nil, fmt.Errorf("find applications of %s: %w", q.Masked, err)
		}
		sort.Strings(apps)
		q.Apps = apps
	}
	return q, missing, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Export writes everything the providers hold about the citizen with
// idNumber into dir (created, mode 0700; it must not exist or be empty):
// subject.json with every provider's section, and each provider's files in
// a folder of its name. The export holds the full ID number: it is the
// citizen's own data, to be handed to them. a must be a supervisor.
func (s *Service) Export(ctx context.Context, a access.Actor, idNumber, dir string) (Manifest, error) {
	g := access.Guard{Rec: s.Log}
	masked := idnum.Mask(strings.TrimSpace(idNumber))
	if err := g.Allow(ctx, a, access.ExportSubject, masked); err != nil {
		return Manifest{}, fmt.Errorf("subject export: %w", err)
	}
	q, missing, err := s.query(ctx, idNumber)
	if err != nil {
		return Manifest{}, fmt.Errorf("subject export: %w", err)
	}
	if err := prepareDir(dir); err != nil {
		return Manifest{}, fmt.Errorf("subject export: %w", err)
	}
	m := Manifest{Dir: dir, Masked: q.Masked, Apps: len(q.Apps), Missing: missing, Generated: s.now().UTC()}
	doc := map[string]any{}
	var errs []error
	for _, p := range s.Providers {
		sec, err := p.Export(ctx, q)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.Name(), err))
			continue
		}
		doc[p.Name()] = sec.Data
		m.Sections = append(m.Sections, p.Name())
		if len(sec.Files) > 0 {
			sub := filepath.Join(dir, p.Name())
			if err := os.MkdirAll(sub, 0o700); err != nil {
				errs = append(errs, err)
				continue
			}
			for _, f := range sec.Files {
				if !fileNameRe.MatchString(f.Name) {
					errs = append(errs, fmt.Errorf("%s: file name %q refused", p.Name(), f.Name))
					continue
				}
				if err := os.WriteFile(filepath.Join(sub, f.Name), f.Data, 0o600); err != nil {
					errs = append(errs, err)
					continue
				}
				m.Files++
			}
		}
	}
	out := map[string]any{
		"format":       "dinhdanh-subject-export-v1",
		"generated_at": m.Generated.Format(time.RFC3339),
		"id_number":    q.IDNumber,
		"applications": q.Apps,
		"sections":     doc,
		"not_covered":  missing,
		"exported_by":  a.Name,
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "subject.json"), b, 0o600)
	}
	if err != nil {
		errs = append(errs, err)
	}
	outcome := audit.OK
	if len(errs) > 0 {
		outcome = audit.Failed
	}
	rerr := s.Log.Record(ctx, audit.Entry{Actor: a.Name, Role: string(a.Role), Action: audit.SubjectExported, Object: q.Masked,
		Outcome: outcome, Detail: map[string]string{"applications": strconv.Itoa(len(q.Apps)), "sections": strings.Join(m.Sections, ","),
			"files": strconv.Itoa(m.Files), "not_covered": strconv.Itoa(len(missing))}})
	if rerr != nil {
		errs = append(errs, rerr)
	}
	if len(errs) > 0 {
		return m, fmt.Errorf("subject export: %w", errors.Join(errs...))
	}
	return m, nil
}

func prepareDir(dir string) error {
	if dir == "" {
		return errors.New("no output folder")
	}
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) > 0 {
		return fmt.Errorf("output folder %s is not empty", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// EraseReport is what an erase request did, per provider.
type EraseReport struct {
	Masked    string             `json:"id_number_masked"`
	Apps      int                `json:"applications"`
	Providers map[string]Erasure `json:"providers"`
	Failed    map[string]string  `json:"failed,omitempty"`
	Missing   []string           `json:"not_covered,omitempty"`
}

// Erase asks every provider to erase what it holds about the citizen,
// where the law allows (each provider says what it kept and why). a must
// be a supervisor. The request is audited with the masked ID number.
func (s *Service) Erase(ctx context.Context, a access.Actor, idNumber string) (EraseReport, error) {
	g := access.Guard{Rec: s.Log}
	masked := idnum.Mask(strings.TrimSpace(idNumber))
	if err := g.Allow(ctx, a, access.EraseSubject, masked); err != nil {
		return EraseReport{}, fmt.Errorf("subject erase: %w", err)
	}
	q, missing, err := s.query(ctx, idNumber)
	if err != nil {
		return EraseReport{}, fmt.Errorf("subject erase: %w", err)
	}
	rep := EraseReport{Masked: q.Masked, Apps: len(q.Apps), Providers: map[string]Erasure{}, Missing: missing}
	var errs []error
	total := 0
	for _, p := range s.Providers {
		e, err := p.Erase(ctx, q)
		if err != nil {
			if rep.Failed == nil {
				rep.Failed = map[string]string{}
			}
			rep.Failed[p.Name()] = idnum.MaskAll(err.Error())
			errs = append(errs, fmt.Errorf("%s: %w", p.Name(), err))
			continue
		}
		rep.Providers[p.Name()] = e
		total += e.Deleted
	}
	outcome := audit.OK
	if len(errs) > 0 {
		outcome = audit.Failed
	}
	rerr := s.Log.Record(ctx, audit.Entry{Actor: a.Name, Role: string(a.Role), Action: audit.SubjectErased, Object: q.Masked,
		Outcome: outcome, Detail: map[string]string{"applications": strconv.Itoa(len(q.Apps)), "deleted": strconv.Itoa(total),
			"failed": strconv.Itoa(len(errs)), "not_covered": strconv.Itoa(len(missing))}})
	if rerr != nil {
		errs = append(errs, rerr)
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("subject erase: %w", errors.Join(errs...))
	}
	return rep, nil
}
