package domain

import "time"

// StepRule is how long a step may take: Days working days, or calendar days
// when Calendar is set (moved off a holiday to the next working day).
type StepRule struct {
	Days     int
	Calendar bool
	Basis    string // message key naming where the figure comes from
}

// StepRules are the default deadlines per status, taken from practice and law.
var StepRules = map[Status]StepRule{
	StatusRegistered:   {1, false, "deadline.basis.assess"},    // assess within 1 working day
	StatusAssessed:     {1, false, "deadline.basis.dispatch"},  // route within 1 working day
	StatusReturned:     {1, false, "deadline.basis.dispatch"},  // re-route within 1 working day
	StatusDispatched:   {1, false, "deadline.basis.sign"},      // sign for within 1 working day
	StatusInResolution: {30, true, "deadline.basis.mediation"}, // 人民调解一般在一个月内调结
	StatusClosed:       {3, false, "deadline.basis.inform"},    // tell the parties within 3 working days
	StatusInformed:     {7, true, "deadline.basis.visit"},      // return visit within 7 days
}

// PetitionRules replace StepRules for matters taken in as petitions (信访):
// a written acceptance notice within 15 days and handling within 60 days
// (《信访工作条例》), extendable by at most 30 days with a leader's approval.
var PetitionRules = map[Status]StepRule{
	StatusRegistered:   {15, true, "deadline.basis.petition_accept"},
	StatusInResolution: {60, true, "deadline.basis.petition_handle"},
}

// RuleFor returns the deadline rule of a step, for petitions or not.
func RuleFor(s Status, petition bool) (StepRule, bool) {
	if petition {
		if r, ok := PetitionRules[s]; ok {
			return r, true
		}
	}
	r, ok := StepRules[s]
	return r, ok
}

// DueFor computes the deadline of the step that starts at start in status s;
// the zero time when the status has no deadline.
func DueFor(cal *Calendar, s Status, start time.Time) time.Time {
	return DueForCase(cal, s, start, false)
}

// DueForCase is DueFor with the petition rules applied when petition is set.
func DueForCase(cal *Calendar, s Status, start time.Time, petition bool) time.Time {
	r, ok := RuleFor(s, petition)
	if !ok || cal == nil {
		return time.Time{}
	}
	if r.Calendar {
		return cal.AddCalendarDays(start, r.Days).UTC()
	}
	return cal.AddWorkingDays(start, r.Days).UTC()
}

// RedResolutionDays is how many calendar days a red matter has in
// resolution (the ordinary rule is 30): red is the county's own business.
const RedResolutionDays = 15

// RedDeadline is a red matter's resolution deadline when its clock starts
// (or it turns red) at start.
func RedDeadline(cal *Calendar, start time.Time) time.Time {
	return cal.AddCalendarDays(start, RedResolutionDays).UTC()
}

// StepDeadline is the deadline of the step a matter of colour risk enters
// in status s at start: the step's rule (the petition rules for a
// petition), and for a red matter in resolution the earlier of that and
// RedDeadline. The service and the demo's seeder both set deadlines with
// it; the zero time when the step has none.
func StepDeadline(cal *Calendar, s Status, start time.Time, petition bool, risk Risk) time.Time {
	due := DueForCase(cal, s, start, petition)
	if risk == "red" && s == StatusInResolution && cal != nil {
		if red := RedDeadline(cal, start); due.IsZero() || red.Before(due) {
			due = red
		}
	}
	return due
}

// Steps are the steps with a deadline, named by what ends them, in the
// order of a matter's life; the on-time rate is given for each.
var Steps = []string{"assess", "dispatch", "sign", "resolve", "inform", "visit"}
