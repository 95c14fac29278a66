package workflow

import "time"

// DecisionDays is the legal time limit for a level-2 decision with a valid
// chip card, in working days (Decree 69/2024/NĐ-CP).
const DecisionDays = 3

// AddWorkingDays returns t moved forward by n working days (Monday to
// Friday; public holidays are not known to the station and not skipped).
func AddWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// WorkingDaysLeft counts whole working days from now until deadline;
// negative when the deadline has passed.
func WorkingDaysLeft(now, deadline time.Time) int {
	y, m, d := now.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	y, m, d = deadline.In(now.Location()).Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	n, sign := 0, 1
	if end.Before(day) {
		day, end, sign = end, day, -1
	}
	for day.Before(end) {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return sign * n
}
