package domain

import (
	"fmt"
	"strings"
)

// WorkflowMarkdown renders the Workflow table as Markdown (docs/WORKFLOW.md
// is generated from it and a test keeps the two in step).
func WorkflowMarkdown() string {
	var b strings.Builder
	b.WriteString("# The workflow of a matter\n\n")
	b.WriteString("Generated from `domain.Workflow` (`go run ./cmd/jiefen workflow > docs/WORKFLOW.md`); a test fails when this file and the code differ.\n")
	b.WriteString("The API takes each action at `POST /api/v1/cases/{id}/actions/{action}`; the matter page offers the actions the user may take now.\n\n")
	b.WriteString("| action | from | to | roles | requires |\n| --- | --- | --- | --- | --- |\n")
	for _, t := range Workflow {
		from := "any open status"
		if len(t.From) > 0 {
			var fs []string
			for _, f := range t.From {
				fs = append(fs, string(f))
			}
			from = strings.Join(fs, ", ")
		}
		to := string(t.To)
		if to == "" {
			to = "(unchanged)"
		}
		var rs []string
		for _, r := range t.Roles {
			rs = append(rs, string(r))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", t.Action, from, to, strings.Join(rs, ", "), strings.Join(t.Requires, ", "))
	}
	b.WriteString("\nHandling steps (`sign`, `return`, `progress`, `session`, `judicial`, `pause`, `extend_request`, `reply`, `close`) are open only to the matter's assignee; `checkin` only to the watching grid worker; other actions need the role and the matter inside the user's jurisdiction.\n\n")
	b.WriteString("Joint handling (联合办理): the assignee leads; the dispatcher or the lead adds co-handlers (`cohandle`, with the part they take) and ends a part (`cohandle_end`). A co-handler sees the matter and records `progress`, `session` and `note` on it; only the lead signs, transfers and closes. Closing the matter ends every co-handler's part.\n\n")
	b.WriteString("People's mediation runs for a month; a mediator who asks to continue past the deadline (`extend_request`) must record that both parties agree (`parties_agree`).\n\n")
	b.WriteString("## Step deadlines\n\n| status | deadline | basis |\n| --- | --- | --- |\n")
	for _, s := range Statuses {
		if r, ok := StepRules[s]; ok {
			unit := "working days"
			if r.Calendar {
				unit = "calendar days (moved off holidays)"
			}
			fmt.Fprintf(&b, "| `%s` | %d %s | %s |\n", s, r.Days, unit, r.Basis)
		}
	}
	b.WriteString("\nPetitions (category `petition`): acceptance notice within 15 days, handling within 60, an extension of at most 30 days with a leader's approval.\n")
	return b.String()
}
