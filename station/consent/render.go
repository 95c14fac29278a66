package consent

import (
	"fmt"
	"strings"
	"time"

	consenttext "github.com/dinhdanh/dinhdanh/assets/consent"
)

var labels = map[string]map[string]string{
	"vi": {
		"title": "BẢN GHI NHẬN SỰ ĐỒNG Ý", "app": "Mã hồ sơ", "purposes": "Mục đích", "types": "Loại dữ liệu",
		"retention": "Thời hạn lưu dữ liệu sinh trắc học tại máy trạm", "days": "ngày", "version": "Phiên bản thông báo",
		"hash": "Mã băm SHA-256 của thông báo", "time": "Thời điểm", "officer": "Cán bộ tiếp nhận",
		"ack": "Hình thức xác nhận", "ref": "Số tham chiếu", "withdrawn": "ĐÃ RÚT LẠI SỰ ĐỒNG Ý",
		"by": "người ghi nhận", "reason": "lý do", "sign": "Chữ ký của công dân",
	},
	"en": {
		"title": "RECORD OF CONSENT", "app": "Application", "purposes": "Purposes", "types": "Data types",
		"retention": "Retention of biometric data at the station", "days": "days", "version": "Notice version",
		"hash": "SHA-256 of the notice", "time": "Time", "officer": "Officer",
		"ack": "Acknowledged by", "ref": "Reference", "withdrawn": "CONSENT WITHDRAWN",
		"by": "recorded by", "reason": "reason", "sign": "Citizen's signature",
	},
}

// Render returns the printable consent record: the exact notice shown,
// then what was recorded, in the notice's language. It fails if the notice
// text no longer matches the stored hash (an edited text file).
func Render(r Record, loc *time.Location) (string, error) {
	text, err := consenttext.Text(r.TextVersion, r.Language)
	if err != nil {
		return "", err
	}
	if TextHash(text) != r.TextHash {
		return "", fmt.Errorf("consent text %s/%s differs from the one the citizen was shown (hash mismatch)", r.TextVersion, r.Language)
	}
	if loc == nil {
		loc = time.UTC
	}
	L := labels[r.Language]
	if L == nil {
		L = labels["en"]
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(text, "\n"))
	b.WriteString("\n\n" + strings.Repeat("-", 60) + "\n")
	b.WriteString(L["title"] + "\n\n")
	line := func(k, v string) { fmt.Fprintf(&b, "%s: %s\n", L[k], v) }
	line("app", r.AppUUID)
	line("purposes", joinStrings(r.Purposes))
	line("types", joinStrings(r.DataTypes))
	line("retention", fmt.Sprintf("%d %s", r.RetentionDays, L["days"]))
	line("version", r.TextVersion+" ("+r.Language+")")
	line("hash", r.TextHash)
	line("time", r.RecordedAt.In(loc).Format("2006-01-02 15:04:05 -07:00"))
	line("officer", r.Officer)
	line("ack", string(r.Ack))
	if r.AckRef != "" {
		line("ref", r.AckRef)
	}
	if r.WithdrawnAt != nil {
		fmt.Fprintf(&b, "\n%s: %s (%s: %s; %s: %s)\n", L["withdrawn"], r.WithdrawnAt.In(loc).Format("2006-01-02 15:04:05 -07:00"),
			L["by"], r.WithdrawnBy, L["reason"], r.WithdrawReason)
	}
	if r.Ack == SignedPaper {
		fmt.Fprintf(&b, "\n%s: ______________________________\n", L["sign"])
	}
	return b.String(), nil
}
