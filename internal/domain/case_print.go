package domain

// PrintForms are the printed documents that fit the matter now, in the
// order of the matter page's print menu: the registration form always; the
// mediation agreement once a mediation session was recorded or the matter
// closed as resolved; the return-visit record once the parties were
// informed; the notice once it is closed (referred ones close on
// registration); the supervision order once a leader supervised it.
func (c *Case) PrintForms() []string {
	forms := []string{"registration"}
	if c.LastEntry("session") != nil || c.Outcome == OutcomeResolved {
		forms = append(forms, "agreement")
	}
	closed := c.Status == StatusClosed || c.Status == StatusInformed || c.Status == StatusVisited || c.Status == StatusArchived
	if c.Status == StatusInformed || c.Status == StatusVisited || (closed && c.LastEntry("inform") != nil) {
		forms = append(forms, "visit")
	}
	if closed || c.Outcome == OutcomeReferred {
		forms = append(forms, "notice")
	}
	if c.LastEntry("supervise") != nil {
		forms = append(forms, "supervision")
	}
	return forms
}

// LastEntry is the matter's most recent timeline entry of action, or nil.
func (c *Case) LastEntry(action string) *TimelineEntry {
	for i := len(c.Timeline) - 1; i >= 0; i-- {
		if c.Timeline[i].Action == action {
			return &c.Timeline[i]
		}
	}
	return nil
}
