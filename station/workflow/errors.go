package workflow

import (
	"errors"
	"strings"
	"syscall"
)

// Errors the workflow and its devices report. Adapters to real devices wrap
// their failures in these so that the screens can tell the officer in plain
// words what happened and what to do next (see Advice).
var (
	ErrWrongStep      = errors.New("not possible at this step")
	ErrBadMRZ         = errors.New("card numbers typed wrongly")
	ErrAccessDenied   = errors.New("the chip refused the card numbers (BAC)")
	ErrNoDevice       = errors.New("device not connected")
	ErrDevice         = errors.New("device error")
	ErrCardRemoved    = errors.New("card removed during reading")
	ErrTimeout        = errors.New("device did not answer in time")
	ErrNoConsent      = errors.New("the citizen has not given consent")
	ErrLowQuality     = errors.New("capture quality too low")
	ErrFingers        = errors.New("fingerprints incomplete")
	ErrBadContact     = errors.New("contact details not valid")
	ErrNotInCache     = errors.New("citizen not in the local cache")
	ErrPendingLimit   = errors.New("too many applications waiting for approval")
	ErrDiskFull       = errors.New("disk full")
	ErrSync           = errors.New("sync failed")
	ErrNotVerifiable  = errors.New("the application cannot be submitted with this decision")
	ErrCancelled      = errors.New("cancelled")
	ErrAlreadyDecided = errors.New("application already decided")
	ErrUnavailable    = errors.New("engine not available in this station")
)

// Advice names, for an error, a translation key for what happened and one
// for what the officer should do next. Unknown errors get generic advice.
func Advice(err error) (what, next string) {
	// A full disk shows up as ENOSPC from the file system or as SQLite's
	// own message through the driver.
	if errors.Is(err, syscall.ENOSPC) || (err != nil && strings.Contains(err.Error(), "database or disk is full")) {
		return "err.disk_full", "next.disk_full"
	}
	for _, a := range adviceTable {
		if errors.Is(err, a.err) {
			return a.what, a.next
		}
	}
	return "err.unknown", "next.unknown"
}

var adviceTable = []struct {
	err        error
	what, next string
}{
	{ErrBadMRZ, "err.bad_mrz", "next.bad_mrz"},
	{ErrAccessDenied, "err.access_denied", "next.access_denied"},
	{ErrNoDevice, "err.no_device", "next.no_device"},
	{ErrCardRemoved, "err.card_removed", "next.card_removed"},
	{ErrTimeout, "err.timeout", "next.timeout"},
	{ErrDevice, "err.device", "next.device"},
	{ErrNoConsent, "err.no_consent", "next.no_consent"},
	{ErrLowQuality, "err.low_quality", "next.low_quality"},
	{ErrFingers, "err.fingers", "next.fingers"},
	{ErrBadContact, "err.bad_contact", "next.bad_contact"},
	{ErrPendingLimit, "err.pending_limit", "next.pending_limit"},
	{ErrDiskFull, "err.disk_full", "next.disk_full"},
	{ErrSync, "err.sync", "next.sync"},
	{ErrNotVerifiable, "err.not_verifiable", "next.not_verifiable"},
	{ErrCancelled, "err.cancelled", "next.cancelled"},
	{ErrWrongStep, "err.wrong_step", "next.wrong_step"},
}
