package casework

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Track is what a citizen sees of their matter with its query code: where it
// stands and what has happened, without anyone's personal data.
type Track struct {
	Number    string
	Status    domain.Status
	Category  string
	CreatedAt time.Time
	StepDueAt time.Time
	Outcome   domain.Outcome
	Steps     []TrackStep
}

// TrackStep is one public step of the timeline.
type TrackStep struct {
	At     time.Time
	Action string
}

// TrackCase looks a matter up by its number and query code (public). Wrong
// pairs count as failed attempts from the address; after 20 in 15 minutes
// the address is refused for a while. Every lookup is audited.
func (s *Service) TrackCase(ctx context.Context, number, code string) (*Track, error) {
	a := domain.ActorFrom(ctx)
	number = strings.ToUpper(strings.TrimSpace(number))
	code = strings.ToUpper(strings.TrimSpace(code))
	if number == "" || code == "" || len(number) > 30 || len(code) > 20 {
		return nil, &domain.Error{Code: domain.Invalid, Key: "track.required"}
	}
	var fails int
	if err := s.Store().View(ctx, func(tx *store.Tx) error {
		var err error
		fails, err = tx.FailedLoginsFromIP(ctx, "track:"+a.IP, tx.Now.Add(-15*time.Minute))
		return err
	}); err != nil {
		return nil, err
	}
	if fails >= 20 {
		return nil, &domain.Error{Code: domain.TooMany, Key: "track.too_many"}
	}
	var out *Track
	err := s.Store().Update(ctx, func(tx *store.Tx) error {
		c, err := tx.CaseByNumber(ctx, number)
		if err != nil && domain.ErrorCode(err) != domain.NotFound {
			return err
		}
		if err != nil || subtle.ConstantTimeCompare([]byte(c.QueryCode), []byte(code)) != 1 {
			if err := tx.RecordLogin(ctx, "track", "track:"+a.IP, false); err != nil {
				return err
			}
			return s.Kernel.Audit(ctx, tx, "case.track", "case", number, "", domain.ResultFail, "wrong number or query code")
		}
		out = &Track{Number: c.Number, Status: c.Status, Category: c.CategoryNm, CreatedAt: c.CreatedAt, StepDueAt: c.StepDueAt, Outcome: c.Outcome}
		for _, e := range c.Timeline {
			if IsPublic(e.Action) {
				out.Steps = append(out.Steps, TrackStep{e.At, e.Action})
			}
		}
		return s.Kernel.Audit(ctx, tx, "case.track", "case", c.Number, c.OrgPath, domain.ResultOK, "")
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &domain.Error{Code: domain.NotFound, Key: "track.not_found"}
	}
	return out, nil
}
