package audit

// The action vocabulary. Every Entry.Action should be one of these; the
// names are dotted, lower case and past tense so that the log reads as a
// history. Record accepts other well-formed names, so that an area adding
// an event is never stopped from auditing it, but new actions belong here.
const (
	// Station life.
	StationStarted  = "station.started"
	StationStopped  = "station.stopped"
	SettingsChanged = "settings.changed"

	// Officer authentication and users.
	LoginSucceeded     = "auth.login"
	LoginFailed        = "auth.login_failed"
	LoggedOut          = "auth.logout"
	IdleLoggedOut      = "auth.idle_logout"
	LockedOut          = "auth.locked_out"
	PasswordChanged    = "auth.password_changed"
	UserCreated        = "user.created"
	UserDisabled       = "user.disabled"
	UserEnabled        = "user.enabled"
	RoleChanged        = "user.role_changed"
	SupervisorOverride = "auth.supervisor_override"
	AccessDenied       = "access.denied"

	// The chip card.
	CardRead              = "card.read"
	CardReadFailed        = "card.read_failed"
	CardPassiveAuthOK     = "card.passive_auth_ok"
	CardPassiveAuthFailed = "card.passive_auth_failed"

	// Consent.
	ConsentRecorded  = "consent.recorded"
	ConsentWithdrawn = "consent.withdrawn"
	ConsentPrinted   = "consent.printed"
	ConsentMissing   = "consent.missing"

	// Capture.
	FaceCaptured    = "capture.face"
	FingerCaptured  = "capture.finger"
	CaptureFailed   = "capture.failed"
	FingerException = "capture.finger_exception"
	CaptureRetried  = "capture.retried"

	// Matching.
	MatchFaceChip    = "match.face_chip"
	MatchFaceCache   = "match.face_cache"
	MatchFingerCache = "match.finger_cache"
	MatchSearch      = "match.search"
	MatchFailed      = "match.failed"

	// Citizen data and applications.
	CitizenViewed        = "citizen.viewed"
	ApplicationCreated   = "application.created"
	ApplicationSubmitted = "application.submitted"
	ApplicationApproved  = "application.approved"
	ApplicationRejected  = "application.rejected"
	ApplicationException = "application.exception"
	ApplicationCancelled = "application.cancelled"
	ReceiptPrinted       = "application.receipt_printed"
	ApplicationRefused   = "application.refused"
	ApplicationViewed    = "application.viewed"
	ApplicationVerified  = "application.verified"
	ApplicationQueued    = "application.queued"
	ApplicationExported  = "application.exported"
	ApplicationErased    = "application.erased"
	EvidenceCaptured     = "application.evidence_captured"
	EvidenceViewed       = "application.evidence_viewed"
	EvidencePurged       = "application.evidence_purged"
	ConsentAttached      = "application.consent_recorded"
	CheckRecorded        = "application.check_recorded"

	// Data-subject requests and exports.
	SubjectExported = "subject.exported"
	SubjectErased   = "subject.erased"
	AuditExported   = "audit.exported"

	// Sync and the template cache.
	SyncStarted          = "sync.started"
	SyncCompleted        = "sync.completed"
	SyncFailed           = "sync.failed"
	SyncRun              = "sync.run"
	ApplicationsUploaded = "sync.applications_uploaded"
	BatchUploaded        = "sync.batch_uploaded"
	OutcomesFetched      = "sync.outcomes_fetched"
	CacheUpdated         = "cache.updated"

	// Keys.
	KeyGenerated = "keys.generated"
	KeyRotated   = "keys.rotated"

	// Retention.
	RetentionRun    = "retention.run"
	RetentionPurged = "retention.purged"
	RetentionFailed = "retention.failed"

	// Devices and diagnostics.
	DeviceAdded         = "device.added"
	DeviceRemoved       = "device.removed"
	DeviceChanged       = "device.changed"
	DiagnosticsRun      = "diagnostics.run"
	DiagnosticsExported = "diagnostics.exported"
	TestCaptureTaken    = "diagnostics.test_capture"

	// The audit log itself.
	AuditVerified               = "audit.verified"
	AuditCorruptionDetected     = "audit.corruption_detected"
	AuditCorruptionAcknowledged = "audit.corruption_acknowledged"
	AuditPruned                 = "audit.pruned"
)

// Actions lists the whole vocabulary.
var Actions = []string{
	StationStarted, StationStopped, SettingsChanged,
	LoginSucceeded, LoginFailed, LoggedOut, IdleLoggedOut, LockedOut, PasswordChanged,
	UserCreated, UserDisabled, UserEnabled, RoleChanged, SupervisorOverride, AccessDenied,
	CardRead, CardReadFailed, CardPassiveAuthOK, CardPassiveAuthFailed,
	ConsentRecorded, ConsentWithdrawn, ConsentPrinted, ConsentMissing,
	FaceCaptured, FingerCaptured, CaptureFailed, FingerException, CaptureRetried,
	MatchFaceChip, MatchFaceCache, MatchFingerCache, MatchSearch, MatchFailed,
	CitizenViewed, ApplicationCreated, ApplicationSubmitted, ApplicationApproved,
	ApplicationRejected, ApplicationException, ApplicationCancelled, ReceiptPrinted,
	ApplicationRefused, ApplicationViewed, ApplicationVerified, ApplicationQueued, ApplicationExported,
	ApplicationErased, EvidenceCaptured, EvidenceViewed, EvidencePurged, ConsentAttached, CheckRecorded,
	SubjectExported, SubjectErased, AuditExported,
	SyncStarted, SyncCompleted, SyncFailed, SyncRun, ApplicationsUploaded, BatchUploaded, OutcomesFetched, CacheUpdated,
	KeyGenerated, KeyRotated,
	RetentionRun, RetentionPurged, RetentionFailed,
	DeviceAdded, DeviceRemoved, DeviceChanged, DiagnosticsRun, DiagnosticsExported, TestCaptureTaken,
	AuditVerified, AuditCorruptionDetected, AuditCorruptionAcknowledged, AuditPruned,
}

// Known reports whether action is in the vocabulary.
func Known(action string) bool {
	for _, a := range Actions {
		if a == action {
			return true
		}
	}
	return false
}

// Outcomes of an Entry.
const (
	OK     = "ok"
	Denied = "denied"
	Failed = "failed"
)

// Roles an Entry may carry (the same names as package access).
const (
	RoleOfficer    = "officer"
	RoleSupervisor = "supervisor"
	RoleTechnician = "technician"
	RoleSystem     = "system"
)
