// Package retention deletes personal data when it is no longer needed.
//
// Each data class has a retention period in days (Policy, stored in the
// settings table and editable by a supervisor). The Job asks every purge
// function registered for a class to delete what is older than the class's
// cutoff, erases the data of applications whose consent was withdrawn, and
// then reclaims the space so that deleted bytes do not linger in the
// database file: the store runs with secure_delete (freed content is
// overwritten with zeros), the WAL is checkpointed and truncated, and the
// file is vacuumed. Every run, and each class's count, is audited.
//
// The job is run by the nightly sync and on demand ("station retention
// run"). Areas that own personal data register their purge functions: the
// application store its evidence and images, the template cache its stale
// entries. This package owns only the consent records and the audit log.
package retention

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/dinhdanh/dinhdanh/station/store"
)

// Class is a kind of data with its own retention period.
type Class string

// The data classes.
const (
	// BiometricEvidence: live portraits, fingerprint images and templates
	// captured for an application, kept until its outcome is known.
	BiometricEvidence Class = "biometric_evidence"
	// Images: other images (card portraits copied from the chip, receipts,
	// exception photos).
	Images Class = "images"
	// ApplicationData: the application record, card data, consent record.
	ApplicationData Class = "application_data"
	// TemplateCache: cached citizen templates of the office's area that no
	// sync has confirmed for the period (the citizen moved away, the record
	// was withdrawn upstream and the delta was missed).
	TemplateCache Class = "template_cache"
	// Audit: entries of the audit log.
	Audit Class = "audit"
)

// Classes lists the classes in the order the job runs them.
var Classes = []Class{BiometricEvidence, Images, ApplicationData, TemplateCache, Audit}

// Policy is the retention period of each class, in days.
type Policy map[Class]int

// DefaultPolicy is used for classes with no setting: biometric evidence
// and images 30 days (the level-2 answer is due within 7 working days; the
// rest is margin for a failed sync), application data one year (for
// complaints and re-submission), cached templates 90 days without a sync
// confirming them, audit five years (for inspections).
var DefaultPolicy = Policy{BiometricEvidence: 30, Images: 30, ApplicationData: 365, TemplateCache: 90, Audit: 5 * 365}

// MaxDays bounds a retention period (100 years): a typo must not mean
// "forever".
const MaxDays = 36500

func settingKey(c Class) string { return "retention." + string(c) + ".days" }

// LoadPolicy reads the policy from the settings table, falling back to
// DefaultPolicy per class.
func LoadPolicy(ctx context.Context, db *store.DB) (Policy, error) {
	p := Policy{}
	for _, c := range Classes {
		p[c] = DefaultPolicy[c]
		v, err := db.Setting(ctx, settingKey(c))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load retention policy: %w", err)
		}
		d, err := strconv.Atoi(v)
		if err != nil || d <= 0 || d > MaxDays {
			return nil, fmt.Errorf("load retention policy: %s = %q is not a number of days in 1..%d", settingKey(c), v, MaxDays)
		}
		p[c] = d
	}
	return p, nil
}

// Validate checks every class has a period in 1..MaxDays.
func (p Policy) Validate() error {
	for _, c := range Classes {
		if d, ok := p[c]; !ok || d <= 0 || d > MaxDays {
			return fmt.Errorf("retention of %s: %d days, want 1..%d", c, p[c], MaxDays)
		}
	}
	for c := range p {
		if _, ok := DefaultPolicy[c]; !ok {
			return fmt.Errorf("retention policy names unknown class %q", c)
		}
	}
	return nil
}

// SavePolicy stores p in the settings table. Callers audit the change
// (settings.changed) and check the ChangeSettings permission.
func SavePolicy(ctx context.Context, db *store.DB, p Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	keys := make([]string, 0, len(p))
	for c := range p {
		keys = append(keys, string(c))
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := db.SetSetting(ctx, settingKey(Class(k)), strconv.Itoa(p[Class(k)])); err != nil {
			return fmt.Errorf("save retention policy: %w", err)
		}
	}
	return nil
}

// Cutoff returns the moment before which data of class c is due at now.
func (p Policy) Cutoff(c Class, now time.Time) time.Time {
	return now.AddDate(0, 0, -p[c])
}
