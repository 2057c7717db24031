package report

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"jiefen/internal/app"
	"jiefen/internal/service/casework"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// LedgerMaxRows bounds one ledger export; a larger selection must be
// narrowed (by period or place) first. An export with personal data in
// full is bounded tighter.
const (
	LedgerMaxRows         = 100_000
	LedgerMaxUnmaskedRows = 5_000
)

// LedgerOptions ask for personal data in full: RequestID names an
// approved export request of the caller (RequestLedger, ApproveLedger),
// whose filters then apply.
type LedgerOptions struct {
	RequestID int64
}

// ExportRequestTTL is how long an approved request may be used (RI-3:
// exports expire within a day).
const ExportRequestTTL = 24 * time.Hour

// RequestLedger asks for the ledger of a list request with personal data
// in full, for a purpose; a second person must approve it (PI-3). Audited.
func (s *Service) RequestLedger(ctx context.Context, q casework.CaseQuery, reason string) (*domain.ExportRequest, error) {
	f, u, err := s.cases.ListFilter(ctx, q)
	if err != nil {
		return nil, err
	}
	if !authz.Allowed(u, authz.PersonalExport) {
		return nil, s.Denied(ctx, app.Forbidden("ledger.request", "cases", "", f.Path))
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 200 {
		return nil, app.Required("reason", "reveal.reason")
	}
	q.Cursor, q.Limit = 0, 0
	stored, err := s.sealQuery(q)
	if err != nil {
		return nil, err
	}
	r := &domain.ExportRequest{RequestedBy: u.ID, RequesterName: u.Name, OrgPath: f.Path, Query: stored, Reason: reason}
	err = s.Update(ctx, func(tx *store.Tx) error {
		if err := tx.AddExportRequest(ctx, r); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "ledger.request", "export", strconv.FormatInt(r.ID, 10), f.Path, domain.ResultOK,
			"filter "+describeQuery(q)+", reason: "+reason)
	})
	return r, err
}

// ApproveLedger approves another user's export request, within the
// approver's jurisdiction and a day of the request. Audited.
func (s *Service) ApproveLedger(ctx context.Context, id int64) error {
	u := domain.ActorFrom(ctx).User
	return s.Update(ctx, func(tx *store.Tx) error {
		r, err := tx.ExportRequest(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Check(ctx, authz.ExportApprove, "export", strconv.FormatInt(id, 10), r.OrgPath); err != nil {
			return err
		}
		if err := app.FourEyes(ctx, tx, r.RequestedBy, u, string(authz.ExportApprove), "export", strconv.FormatInt(id, 10), r.OrgPath); err != nil {
			return err
		}
		if _, gone, err := s.RequestQuery(r); err != nil || gone {
			return cmp.Or(err, error(errSearchGone))
		}
		switch {
		case !r.ApprovedAt.IsZero():
			return &domain.Error{Code: domain.Conflict, Key: "export.approved"}
		case tx.Now.Sub(r.RequestedAt) > ExportRequestTTL:
			return &domain.Error{Code: domain.Conflict, Key: "export.expired"}
		}
		if ok, err := tx.ApproveExportRequest(ctx, id, u.ID); err != nil || !ok {
			return cmp.Or(err, error(&domain.Error{Code: domain.Conflict, Key: "export.approved"}))
		}
		return s.Kernel.Audit(ctx, tx, "ledger.approve", "export", strconv.FormatInt(id, 10), r.OrgPath, domain.ResultOK,
			"requested by "+r.RequesterName+", reason: "+r.Reason)
	})
}

// ExportRequests lists the caller's requests of the last week and those
// in their jurisdiction they may approve.
func (s *Service) ExportRequests(ctx context.Context) (mine, toApprove []*domain.ExportRequest, err error) {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return nil, nil, domain.ErrForbidden
	}
	err = s.View(ctx, func(tx *store.Tx) error {
		since := tx.Now.Add(-7 * 24 * time.Hour)
		if mine, err = tx.ExportRequests(ctx, since, u.ID, "/"); err != nil {
			return err
		}
		if !authz.Allowed(u, authz.ExportApprove) {
			return nil
		}
		all, err := tx.ExportRequests(ctx, tx.Now.Add(-ExportRequestTTL), 0, u.OrgPath)
		for _, r := range all {
			if r.ApprovedAt.IsZero() && r.RequestedBy != u.ID {
				toApprove = append(toApprove, r)
			}
		}
		return err
	})
	return mine, toApprove, err
}

// LedgerHeader is the ledger's first row (台账 columns).
var LedgerHeader = []string{"序号", "编号", "登记时间", "来源渠道", "类别", "所属地", "事发地址", "事项简述", "当事人", "身份证件号码", "联系电话",
	"涉及金额（元）", "涉及人数", "风险等级", "状态", "承办人", "牵头领导", "环节期限", "办结时间", "办理结果", "回访满意度"}

// Ledger writes the matter ledger (台账) of a list request as .xlsx: the
// same matters the list shows (the user's jurisdiction, the filters),
// oldest first; names, ID numbers and phones masked unless the role may
// export personal data. Every export is audited with its row count and
// whether personal data left unmasked. It returns the number of matters.
func (s *Service) Ledger(ctx context.Context, q casework.CaseQuery, opt LedgerOptions, w io.Writer, lang func(string) string) (int, error) {
	u := domain.ActorFrom(ctx).User
	full, limit, reason := false, LedgerMaxRows, ""
	if opt.RequestID != 0 {
		// The approved request's own filters apply, for its requester only.
		rq, why, err := s.approvedRequest(ctx, u, opt.RequestID)
		if err != nil {
			return 0, err
		}
		q, full, limit, reason = rq, true, LedgerMaxUnmaskedRows, why
	}
	f, _, err := s.cases.ListFilter(ctx, q)
	if err != nil {
		return 0, err
	}
	x := excelize.NewFile()
	defer x.Close()
	sw, err := ledgerSheet(x)
	if err != nil {
		return 0, err
	}
	all, parties, err := s.ledgerCases(ctx, f, limit)
	if err != nil {
		return 0, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		c := all[i]
		row := cellTexts(s.ledgerRow(c, parties[c.ID], len(all)-i, full, lang))
		cell, _ := excelize.CoordinatesToCellName(1, len(all)-i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return 0, err
		}
	}
	if err := sw.Flush(); err != nil {
		return 0, err
	}
	mode := "masked"
	if full {
		mode = "personal data unmasked, reason: " + reason
	}
	err = s.Update(ctx, func(tx *store.Tx) error {
		if opt.RequestID != 0 {
			if ok, err := tx.UseExportRequest(ctx, opt.RequestID); err != nil || !ok {
				return cmp.Or(err, error(&domain.Error{Code: domain.Conflict, Key: "export.used"}))
			}
		}
		return s.Kernel.Audit(ctx, tx, "ledger.export", "cases", "", f.Path, domain.ResultOK,
			fmt.Sprintf("%d matters, %s, filter %s", len(all), mode, describeQuery(q)))
	})
	if err != nil {
		return 0, err
	}
	return len(all), x.Write(w)
}

// approvedRequest reads an export request that u may use now (theirs,
// approved, unused, within a day of approval): its list request, and the
// reason the audit gives.
func (s *Service) approvedRequest(ctx context.Context, u *domain.User, id int64) (casework.CaseQuery, string, error) {
	var r *domain.ExportRequest
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.ExportRequest(ctx, id)
		return err
	})
	if err != nil {
		return casework.CaseQuery{}, "", err
	}
	switch {
	case u == nil || r.RequestedBy != u.ID || !authz.Allowed(u, authz.PersonalExport):
		return casework.CaseQuery{}, "", s.Denied(ctx, app.Forbidden("ledger.unmasked", "export", strconv.FormatInt(r.ID, 10), r.OrgPath))
	case r.ApprovedAt.IsZero():
		return casework.CaseQuery{}, "", &domain.Error{Code: domain.Conflict, Key: "export.not_approved"}
	case !r.UsedAt.IsZero():
		return casework.CaseQuery{}, "", &domain.Error{Code: domain.Conflict, Key: "export.used"}
	case s.Store().Now().Sub(r.ApprovedAt) > ExportRequestTTL:
		return casework.CaseQuery{}, "", &domain.Error{Code: domain.Conflict, Key: "export.expired"}
	}
	rq, gone, err := s.RequestQuery(r)
	if err != nil || gone {
		return casework.CaseQuery{}, "", cmp.Or(err, error(errSearchGone))
	}
	return rq, r.Reason + " (request " + strconv.FormatInt(r.ID, 10) + ", approved by " + r.ApproverName + ")", nil
}

// ledgerSheet names the ledger's sheet, sets its column widths and frozen
// heading, and writes the heading row.
func ledgerSheet(x *excelize.File) (*excelize.StreamWriter, error) {
	const sheet = "台账"
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F7"}}})
	for i, wd := range []float64{6, 16, 17, 10, 16, 18, 20, 50, 20, 22, 16, 12, 8, 8, 10, 10, 12, 17, 17, 12, 10} {
		_ = sw.SetColWidth(i+1, i+1, wd)
	}
	_ = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	head := make([]any, len(LedgerHeader))
	for i, h := range LedgerHeader {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	return sw, nil
}

// ledgerCases reads the matters of f (newest first, by keyset, in one
// read transaction) with their parties; more than limit is an error.
func (s *Service) ledgerCases(ctx context.Context, f domain.CaseFilter, limit int) ([]*domain.Case, map[int64][]store.PartyRow, error) {
	var all []*domain.Case
	parties := map[int64][]store.PartyRow{}
	err := s.View(ctx, func(tx *store.Tx) error {
		page := f
		page.Limit = 500
		for {
			cs, err := tx.Cases(ctx, page)
			if err != nil {
				return err
			}
			if len(all)+len(cs) > limit {
				return &domain.Error{Code: domain.Invalid, Key: "ledger.too_many", Args: []any{limit}}
			}
			ids := make([]int64, len(cs))
			for i, c := range cs {
				ids[i] = c.ID
			}
			ps, err := tx.LedgerParties(ctx, ids)
			if err != nil {
				return err
			}
			for id, p := range ps {
				parties[id] = p
			}
			all = append(all, cs...)
			if len(cs) < page.Limit {
				return nil
			}
			page.BeforeID = cs[len(cs)-1].ID
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return all, parties, nil
}

// ledgerDay is a time in the ledger ("" for none).
func ledgerDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.CST).Format("2006-01-02 15:04")
}

// ledgerRow is matter c's row n of the ledger; its parties' personal data
// in full when full, else masked.
func (s *Service) ledgerRow(c *domain.Case, parties []store.PartyRow, n int, full bool, lang func(string) string) []any {
	var names, ids, phones []string
	for _, p := range parties {
		name, id, phone := domain.MaskName(p.Name), p.IDMasked, p.PhoneMask
		if full {
			name = p.Name
			if v, err := s.Keys().Decrypt(p.IDKid, p.IDEnc, "party.id_number"); err == nil && v != "" {
				id = v
			}
			if v, err := s.Keys().Decrypt(p.PhoneKid, p.PhoneEnc, "party.phone"); err == nil && v != "" {
				phone = v
			}
		}
		names, ids, phones = append(names, name), append(ids, id), append(phones, phone)
	}
	outcome := ""
	if c.Outcome != "" {
		outcome = lang("outcome." + string(c.Outcome))
	}
	sat := ""
	if c.Satisfaction != "" {
		sat = lang("satisfaction." + c.Satisfaction)
	}
	due := ""
	if c.Status.Open() || c.Status == domain.StatusClosed || c.Status == domain.StatusInformed {
		due = ledgerDay(c.StepDueAt)
	}
	return []any{n, c.Number, ledgerDay(c.CreatedAt), lang("channel." + string(c.Channel)), c.CategoryNm, c.OrgName, c.Address,
		c.Description, strings.Join(names, "；"), strings.Join(ids, "；"), strings.Join(phones, "；"),
		float64(c.AmountCents) / 100, c.PeopleCount, lang("risk." + string(c.Risk)), lang("status." + string(c.Status)), c.AssigneeNm,
		c.LeadName, due, ledgerDay(c.ClosedAt), outcome, sat}
}

// describeQuery is a list request for the audit log: the list's address
// parameters (CaseQuery.Values), "-" for none; the audit page shows them
// in words. The search text is never written, only that there was one.
func describeQuery(q casework.CaseQuery) string {
	v := q.Values()
	if v.Has("q") {
		v.Set("q", "…")
	}
	return cmp.Or(v.Encode(), "-")
}
