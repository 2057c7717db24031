package jftest

import (
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/casework"
)

// Stage is how far a matter has come along the usual path: registered →
// assessed → dispatched → signed for (in resolution) → closed → informed →
// visited → archived.
type Stage int

// The stages, in order.
const (
	Registered Stage = iota
	Assessed
	Dispatched
	Signed // in resolution
	Closed
	Informed
	Visited
	Archived
)

var stageStatus = [...]domain.Status{domain.StatusRegistered, domain.StatusAssessed, domain.StatusDispatched,
	domain.StatusInResolution, domain.StatusClosed, domain.StatusInformed, domain.StatusVisited, domain.StatusArchived}

func (s Stage) String() string { return string(stageStatus[s]) }

// Path takes matters along the usual path on Svc as the given people, and
// fails the test on the first step that errs. Recep registers and visits,
// Disp assesses, dispatches to Med and archives, Med signs for, closes and
// informs. Only the people the stages need must be set.
type Path struct {
	Svc              *service.Service
	Recep, Disp, Med *domain.User
	IP               string // the actors' address; 10.0.0.9 when empty
	Risk             string // the colour given at assessment; "none" when empty
	Unit             string // the unit chosen at assessment, if any
	// Closing records the six (a resolved close needs them) and closes as
	// resolved; Close replaces the close step's input.
	Close *casework.ActionInput
	// After, when set, runs after every step (e.g. a check on the kept counts).
	After func(t testing.TB, action string)
}

// Register registers in as Recep.
func (p Path) Register(t testing.TB, in domain.CaseInput) *domain.Case {
	t.Helper()
	if p.Recep == nil {
		t.Fatal("register: the Path has no receptionist")
	}
	c, err := p.Svc.RegisterCase(As(p.Recep, p.ip()), in)
	if err != nil {
		t.Fatalf("register as %s: %v", name(p.Recep), err)
	}
	if p.After != nil {
		p.After(t, "register")
	}
	return c
}

// Matter registers in and brings the matter to stage.
func (p Path) Matter(t testing.TB, in domain.CaseInput, stage Stage) *domain.Case {
	t.Helper()
	return p.To(t, p.Register(t, in), stage)
}

// To brings c, as it is now, forward to stage and returns the matter there.
func (p Path) To(t testing.TB, c *domain.Case, stage Stage) *domain.Case {
	t.Helper()
	want := stageStatus[stage]
	for c.Status != want {
		u, action, in := p.next(c)
		if action == "" {
			t.Fatalf("matter %d cannot go from %s to %s along the usual path", c.ID, c.Status, want)
		}
		if action == "close" && p.Close == nil {
			c = p.Act(t, u, c.ID, "six", casework.ActionInput{Six: &domain.Six{LeadLeader: "a", MediationOrg: "b", DockingUnit: "c", Plan: "d", Schedule: "e", GuidanceText: "f"}})
		}
		c = p.Act(t, u, c.ID, action, in)
	}
	return c
}

// Act takes action on matter id as u and fails the test if it errs.
func (p Path) Act(t testing.TB, u *domain.User, id int64, action string, in casework.ActionInput) *domain.Case {
	t.Helper()
	if u == nil {
		t.Fatalf("%s on matter %d: the Path has no user for this step", action, id)
	}
	c, err := p.Svc.Act(As(u, p.ip()), id, action, in)
	if err != nil {
		t.Fatalf("%s on matter %d by %s: %v", action, id, name(u), err)
	}
	if p.After != nil {
		p.After(t, action)
	}
	return c
}

// next is the usual step out of c's status: who takes it, and with what.
func (p Path) next(c *domain.Case) (*domain.User, string, casework.ActionInput) {
	switch c.Status {
	case domain.StatusRegistered:
		risk := p.Risk
		if risk == "" {
			risk = "none"
		}
		return p.Disp, "assess", casework.ActionInput{Risk: risk, Unit: p.Unit}
	case domain.StatusAssessed, domain.StatusReturned:
		return p.Disp, "dispatch", casework.ActionInput{Assignee: name(p.Med)}
	case domain.StatusDispatched:
		return p.Med, "sign", casework.ActionInput{}
	case domain.StatusInResolution:
		if p.Close != nil {
			return p.Med, "close", *p.Close
		}
		return p.Med, "close", casework.ActionInput{Outcome: string(domain.OutcomeResolved)}
	case domain.StatusClosed:
		return p.Med, "inform", casework.ActionInput{Method: "phone"}
	case domain.StatusInformed:
		return p.Recep, "visit", casework.ActionInput{Satisfaction: "satisfied"}
	case domain.StatusVisited:
		return p.Disp, "archive", casework.ActionInput{}
	}
	return nil, "", casework.ActionInput{}
}

func (p Path) ip() string {
	if p.IP == "" {
		return "10.0.0.9"
	}
	return p.IP
}

func name(u *domain.User) string {
	if u == nil {
		return ""
	}
	return u.Username
}
