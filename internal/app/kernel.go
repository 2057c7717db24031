// Package app is the kernel every use-case package is built on: the store,
// the clock, the keyring that seals personal data, the working-day calendar
// and the logger; transactions that audit a refusal once they end; the audit
// row; and the one authorization check, asked of the actor's principal (an
// account, or the operator of the command line).
package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Kernel is built once and shared by every use-case package.
type Kernel struct {
	st    *store.Store
	log   *slog.Logger
	keys  *crypto.Keyring
	calMu sync.Mutex
	cal   *domain.Calendar
	// auditFailures counts audit rows that could not be written (AU-8).
	auditFailures atomic.Int64
}

// New builds a kernel on st.
func New(st *store.Store, log *slog.Logger) *Kernel { return &Kernel{st: st, log: log} }

// Store is the store (for use-case packages and read-only helpers).
func (k *Kernel) Store() *store.Store { return k.st }

// Logger returns the logger.
func (k *Kernel) Logger() *slog.Logger { return k.log }

// Now is the store's clock.
func (k *Kernel) Now() time.Time { return k.st.Now() }

// SetKeys gives the kernel the keyring that seals personal data.
func (k *Kernel) SetKeys(keys *crypto.Keyring) { k.keys = keys }

// Keys returns the keyring (nil before SetKeys).
func (k *Kernel) Keys() *crypto.Keyring { return k.keys }

// Sealer is what seals audit rows: the keyring's audit keys, or nil
// before SetKeys (and then no audit row can be written).
func (k *Kernel) Sealer() store.AuditSealer {
	if k.keys == nil {
		return nil
	}
	return k.keys
}

// AuditFailures is how many audit rows this process failed to write (each
// one's action was refused with it); /metrics shows it for alerting (AU-8).
func (k *Kernel) AuditFailures() int64 { return k.auditFailures.Load() }

// auditFailed raises the alarm for an audit row that was not written: the
// counter and an error line an operator can alert on (AU-8).
func (k *Kernel) auditFailed(action string, err error) {
	if errors.Is(err, context.Canceled) {
		return // the request was abandoned: its action is not done either
	}
	k.auditFailures.Add(1)
	k.log.Error("AUDIT WRITE FAILED: the action is refused", "alarm", "audit_write_failed", "action", action, "err", err)
}

// Calendar loads the working-day calendar (cached until ForgetCalendar).
func (k *Kernel) Calendar(ctx context.Context) (*domain.Calendar, error) {
	k.calMu.Lock()
	defer k.calMu.Unlock()
	if k.cal != nil {
		return k.cal, nil
	}
	var days []domain.CalendarDay
	err := k.st.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.CalendarDays(ctx)
		for _, r := range rows {
			d, perr := time.ParseInLocation("2006-01-02", r[0], domain.CST)
			if perr != nil {
				return perr
			}
			days = append(days, domain.CalendarDay{Date: d, Kind: domain.DayKind(r[1]), Name: r[2]})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	k.cal = domain.NewCalendar(days)
	if gaps := k.calendarGaps(k.cal); len(gaps) > 0 {
		k.log.Warn("calendar: no State Council holiday arrangement for these years; their deadlines and working days count a plain Monday–Friday week until it is imported (jiefen calendar import)",
			"years", gaps)
	}
	return k.cal, nil
}

// DeadlineReach is how far ahead a step's deadline can lie: the 60 days
// of a petition's handling.
const DeadlineReach = 61 * 24 * time.Hour

// CalendarGaps lists the years from today to the furthest deadline a step
// can be given now that the calendar lacks: deadlines reaching into them
// are counted as plain weeks, without their holidays and 调休.
func (k *Kernel) CalendarGaps(ctx context.Context) ([]int, error) {
	cal, err := k.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return k.calendarGaps(cal), nil
}

func (k *Kernel) calendarGaps(cal *domain.Calendar) []int {
	now := k.Now()
	return cal.Missing(now, now.Add(DeadlineReach))
}

// ForgetCalendar makes the next Calendar reload it (after an import).
func (k *Kernel) ForgetCalendar() {
	k.calMu.Lock()
	k.cal = nil
	k.calMu.Unlock()
}

// Audit writes one audit row for the context's actor inside tx.
func (k *Kernel) Audit(ctx context.Context, tx *store.Tx, action, objType, objID, orgPath, result, detail string) error {
	a := domain.ActorFrom(ctx)
	e := &domain.AuditEntry{
		IP:         domain.CleanLogValue(a.IP),
		RequestID:  a.RequestID,
		Action:     action,
		ObjectType: objType,
		ObjectID:   domain.CleanLogValue(objID),
		OrgPath:    orgPath,
		Result:     result,
		Detail:     domain.CleanLogValue(detail),
	}
	if a.User != nil {
		e.UserID, e.Username, e.Roles = a.User.ID, a.User.Username, domain.JoinRoles(a.User.Roles)
	} else if p := a.Principal(); p != nil {
		e.Username = p.Username // the operator: "(cli)"
	}
	if err := tx.AppendAudit(ctx, k.Sealer(), e); err != nil {
		k.auditFailed(action, err)
		return err
	}
	return nil
}

// AuditAlone writes an audit row in its own transaction (for refusals and
// failures, where the main transaction does not commit).
func (k *Kernel) AuditAlone(ctx context.Context, action, objType, objID, orgPath, detail string) {
	wrote := false
	err := k.st.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		err := k.Audit(ctx, tx, action, objType, objID, orgPath, domain.ResultFail, detail)
		wrote = err == nil
		return err
	})
	if err != nil && wrote { // written, then lost with its transaction (Audit raised the alarm otherwise)
		k.auditFailed(action, err)
	}
}

// denial is carried inside a refusal so the audit row can be written once
// the transaction that discovered it has ended.
type denial struct{ action, objType, objID, path string }

func (d *denial) Error() string { return "denied " + d.action + " on " + d.objType + " " + d.objID }

// Refuse is a refusal with the given code and message key whose audit row
// ("denied."+what on the object) is written by Update, View or Denied once
// the transaction that found it has ended.
func Refuse(code domain.Code, key, what, objType, objID, objPath string) *domain.Error {
	return &domain.Error{Code: code, Key: key, Err: &denial{"denied." + what, objType, objID, objPath}}
}

// Forbidden is Refuse with the plain "forbidden" answer.
func Forbidden(what, objType, objID, objPath string) error {
	return Refuse(domain.Forbidden, "error.forbidden", what, objType, objID, objPath)
}

// Check runs the central authorization for the actor's principal. A refusal
// carries a denial that Update, View or Denied writes to the audit log.
func (k *Kernel) Check(ctx context.Context, a authz.Action, objType, objID, objPath string) error {
	if err := authz.Check(domain.ActorFrom(ctx).Principal(), a, objPath); err != nil {
		return Forbidden(string(a), objType, objID, objPath)
	}
	return nil
}

// Denied audits a refusal carried by err (if any) and returns err.
func (k *Kernel) Denied(ctx context.Context, err error) error {
	if d, ok := errors.AsType[*denial](err); ok {
		k.AuditAlone(ctx, d.action, d.objType, d.objID, d.path, "")
	}
	return err
}

// Update runs fn in a read-write transaction and audits a refusal after it.
func (k *Kernel) Update(ctx context.Context, fn func(tx *store.Tx) error) error {
	return k.Denied(ctx, k.st.Update(ctx, fn))
}

// View runs fn in a read-only transaction and audits a refusal after it.
func (k *Kernel) View(ctx context.Context, fn func(tx *store.Tx) error) error {
	return k.Denied(ctx, k.st.View(ctx, fn))
}
