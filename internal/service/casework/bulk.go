package casework

import (
	"context"

	"jiefen/internal/app"
	"jiefen/internal/domain"
)

// NewQueryCode makes a citizen's random query code (XXXXX-XXXXX).
func NewQueryCode() string { return queryCode() }

// BulkResult is what became of one matter of a bulk action.
type BulkResult struct {
	ID     int64
	Number string       // "" when the matter could not be read
	Case   *domain.Case // after the action; nil when it failed
	Err    error        // why it failed (nil: done)
}

// BulkActions are the actions that may be taken on several matters at
// once (the list page's 批量交办).
var BulkActions = []string{"dispatch"}

// MaxBulk is how many matters one bulk action takes.
const MaxBulk = 100

// BulkAct takes one action with the same input on several matters, each
// on its own (its own transaction, checks and audit row, exactly as Act):
// one matter's refusal leaves the others done. The input's version is not
// checked (the list shows no versions); the status is, for each matter.
// It fails as a whole only for a bad request (no matters, too many, an
// action that is not taken in bulk).
func (s *Service) BulkAct(ctx context.Context, action string, ids []int64, in ActionInput) ([]BulkResult, error) {
	ok := false
	for _, a := range BulkActions {
		ok = ok || a == action
	}
	switch {
	case !ok:
		return nil, &domain.Error{Code: domain.NotFound, Key: "case.action.unknown"}
	case len(ids) == 0:
		return nil, app.Required("cases", "bulk.none")
	case len(ids) > MaxBulk:
		return nil, app.Required("cases", "bulk.too_many")
	case action == "dispatch" && in.Assignee == "":
		return nil, app.Required("assignee", "field.required") // once, not once per matter
	}
	in.Version = 0
	out := make([]BulkResult, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		r := BulkResult{ID: id}
		r.Case, r.Err = s.Act(ctx, id, action, in)
		if r.Case != nil {
			r.Number = r.Case.Number
		} else if domain.ErrorCode(r.Err) != domain.NotFound {
			// Refused on a matter the actor sees: name it (one not seen
			// stays a bare id, and its refusal is audited once, by Act).
			if c, err := s.Case(ctx, id); err == nil {
				r.Number = c.Number
			}
		}
		out = append(out, r)
	}
	return out, nil
}
