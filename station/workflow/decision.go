package workflow

import (
	"fmt"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"sort"
)

// Score is the outcome of one comparison, as the engine that made it
// calibrated it: Value and Threshold are on the engine's own scale, higher
// means more alike, and Match is the engine's decision at its threshold.
type Score struct {
	Value     float64
	Threshold float64
	Match     bool
	// FMR is the false match rate the threshold stands for (0.001 = one
	// impostor comparison in a thousand scores at or above it); zero when
	// the engine states none on this scale.
	FMR float64
}

// Candidate is one entry of a 1:N search result.
type Candidate struct {
	IDNumber string
	Modality string // "face" or "finger"
	Score    Score
}

// Evidence is everything the matching step measured.
type Evidence struct {
	// ClaimedID is the ID number on the card.
	ClaimedID string
	// FaceChip compares the live portrait with the chip photo (DG2).
	FaceChip *Score
	// FaceCache and FingerCache compare with the cached templates of the
	// ID number on the card; nil when the citizen is not in the cache.
	FaceCache   *Score
	FingerCache *Score
	// InCache reports whether the claimed ID number has cached templates.
	InCache bool
	// Candidates is the 1:N result over the whole cache, best first per
	// modality. Matches (Score.Match) of another ID are duplicates.
	Candidates []Candidate
	// Fingers counts captured fingers and exceptions, for the reasons.
	FingersCaptured, FingersMissing int
}

// Outcome is the single decision of the matching step.
type Outcome string

// Outcomes. Verified applications go to the supervisor's approval list as
// they are; Review ones need the supervisor to look at the exception
// first; Rejected ones cannot be submitted (the officer can retake the
// captures or cancel).
const (
	Verified Outcome = "verified"
	Review   Outcome = "review"
	Rejected Outcome = "rejected"
)

// Reason is one line of the decision's explanation. Code is a translation
// key ("reason.face_chip_match"...), Args fill its placeholders.
type Reason struct {
	Code    string
	Outcome Outcome // what this reason alone would decide
	Args    map[string]string
}

// Decision is the fused outcome with every reason that led to it.
type Decision struct {
	Outcome  Outcome
	Reasons  []Reason
	Evidence Evidence
}

// Decide fuses the three checks of the mission into one decision:
//
//   - live face ↔ chip photo must match; a mismatch rejects, a missing chip
//     photo needs review;
//   - live face and fingers ↔ the cached templates of the card's ID: both
//     failing rejects, one failing needs review, no cache entry needs
//     review (upstream will check);
//   - 1:N: any other ID matching live biometrics rejects as a possible
//     duplicate, as does the claimed ID not being the best candidate.
//
// Missing fingers (exceptions) need review. The worst single outcome wins.
func Decide(ev Evidence) Decision {
	d := Decision{Outcome: Verified, Evidence: ev}
	add := func(code string, o Outcome, args map[string]string) {
		d.Reasons = append(d.Reasons, Reason{Code: code, Outcome: o, Args: args})
		if rank(o) > rank(d.Outcome) {
			d.Outcome = o
		}
	}
	sc := func(s *Score) map[string]string {
		a := map[string]string{"score": fmt.Sprintf("%.3f", s.Value), "threshold": fmt.Sprintf("%.3f", s.Threshold)}
		if s.FMR > 0 {
			a["fmr"] = fmt.Sprintf("%g", s.FMR)
		}
		return a
	}

	switch {
	case ev.FaceChip == nil:
		add("reason.face_chip_unavailable", Review, nil)
	case ev.FaceChip.Match:
		add("reason.face_chip_match", Verified, sc(ev.FaceChip))
	default:
		add("reason.face_chip_mismatch", Rejected, sc(ev.FaceChip))
	}

	if !ev.InCache {
		add("reason.not_in_cache", Review, nil)
	} else {
		fails, checks := 0, 0
		for _, c := range []struct {
			s           *Score
			ok, bad, na string
		}{
			{ev.FaceCache, "reason.face_cache_match", "reason.face_cache_mismatch", "reason.face_cache_unavailable"},
			{ev.FingerCache, "reason.finger_cache_match", "reason.finger_cache_mismatch", "reason.finger_cache_unavailable"},
		} {
			switch {
			case c.s == nil:
				add(c.na, Review, nil)
			case c.s.Match:
				checks++
				add(c.ok, Verified, sc(c.s))
			default:
				checks++
				fails++
				add(c.bad, Review, sc(c.s))
			}
		}
		if checks > 0 && fails == checks {
			add("reason.cache_all_mismatch", Rejected, nil)
		}
	}

	if ev.FingersMissing > 0 {
		add("reason.fingers_missing", Review, map[string]string{"n": fmt.Sprint(ev.FingersMissing)})
	}
	if ev.FingersCaptured == 0 {
		add("reason.no_fingers", Review, nil)
	}

	// 1:N: rank per modality; the claimed ID must come first wherever it
	// appears, and no other ID may match.
	dups := map[string]Candidate{}
	byMod := map[string][]Candidate{}
	for _, c := range ev.Candidates {
		byMod[c.Modality] = append(byMod[c.Modality], c)
	}
	claimed := ev.ClaimedID
	mods := make([]string, 0, len(byMod))
	for m := range byMod {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	for _, m := range mods {
		cs := byMod[m]
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].Score.Value > cs[j].Score.Value })
		for i, c := range cs {
			if c.IDNumber == claimed {
				if i > 0 && cs[0].Score.Match {
					add("reason.claimed_not_top", Rejected, map[string]string{"modality": m})
				}
				continue
			}
			if c.Score.Match {
				if prev, ok := dups[c.IDNumber]; !ok || c.Score.Value > prev.Score.Value {
					dups[c.IDNumber] = c
				}
			}
		}
	}
	if len(dups) > 0 {
		ids := make([]string, 0, len(dups))
		for id := range dups {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			c := dups[id]
			add("reason.duplicate", Rejected, map[string]string{"id": idnum.Mask(id), "modality": c.Modality, "score": fmt.Sprintf("%.2f", c.Score.Value)})
		}
	} else if len(ev.Candidates) > 0 {
		add("reason.no_duplicate", Verified, nil)
	} else {
		add("reason.search_unavailable", Review, nil)
	}
	return d
}

func rank(o Outcome) int {
	switch o {
	case Review:
		return 1
	case Rejected:
		return 2
	}
	return 0
}
