package web

import (
	"reflect"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service/casework"
)

// A matter's audit detail reads into its states and data; anything else
// (no arrow, an unknown state, bad JSON) is shown as written.
func TestCaseActionDetail(t *testing.T) {
	from, to, data, ok := caseActionDetail(`registered → assessed {"risk":"blue","lead_name":"孙海燕"}`)
	if !ok || from != domain.StatusRegistered || to != domain.StatusAssessed || data["risk"] != "blue" || data["lead_name"] != "孙海燕" {
		t.Errorf("assess: %v %q %q %v", ok, from, to, data)
	}
	for _, d := range []string{"2 parties", `registered -> assessed {}`, `opened → assessed {}`, `registered → assessed {"risk":`, `registered → assessed`} {
		if _, _, _, ok := caseActionDetail(d); ok {
			t.Errorf("%q read as a matter's action", d)
		}
	}
}

// The ledger's three details read into their parts; an older record (the
// filter in words with spaces) or another shape is not read.
func TestReadLedgerDetail(t *testing.T) {
	l, q, ok := readLedgerDetail("filter risk=red&status=open, reason: 报送, 县司法局")
	if !ok || !l.HasFilter || q.Get("risk") != "red" || q.Get("status") != "open" || l.Reason != "报送, 县司法局" || l.Rows != -1 {
		t.Errorf("request: %v %+v %v", ok, l, q)
	}
	l, _, ok = readLedgerDetail("requested by 张伟, reason: 报送")
	if !ok || l.Requester != "张伟" || l.Reason != "报送" || l.HasFilter {
		t.Errorf("approve: %v %+v", ok, l)
	}
	l, _, ok = readLedgerDetail("12 matters, personal data unmasked, reason: 报送, 县司法局, filter -")
	if !ok || l.Rows != 12 || !l.Unmasked || l.Reason != "报送, 县司法局" || !l.HasFilter {
		t.Errorf("unmasked export: %v %+v", ok, l)
	}
	l, q, ok = readLedgerDetail("3 matters, masked, filter org_code=610831101")
	if !ok || l.Rows != 3 || !l.Masked || q.Get("org_code") != "610831101" {
		t.Errorf("masked export: %v %+v %v", ok, l, q)
	}
	for _, d := range []string{"filter org=610831101 risk=red, reason: x", "3 things, masked", "masked, 3"} {
		if _, _, ok := readLedgerDetail(d); ok {
			t.Errorf("%q read", d)
		}
	}
}

// The list's parameters read back into the request they were made from
// (an export request's filters are recorded and shown so).
func TestCaseQueryValuesRoundTrip(t *testing.T) {
	day := func(s string) time.Time { d, _ := domain.ParseDay(s); return d }
	for _, cq := range []casework.CaseQuery{
		{},
		{Q: "土地", Statuses: domain.OpenStatuses, Risk: "red", Channel: "visit", OrgCode: "610831101", Category: "land"},
		{Statuses: []domain.Status{domain.StatusClosed}, From: day("2026-01-01"), To: day("2026-02-01"), Overdue: true, OverdueKind: "followup"},
		{Mine: true, CoHandled: true, Leading: true, Regrade: true, Counted: true, DueSoon: true, ToReply: true, Overdue: true},
	} {
		cq.Limit = 50
		got, fields := casesQuery(cq.Values())
		if len(fields) > 0 || !reflect.DeepEqual(got, cq) {
			t.Errorf("%+v\n read back as %+v (%v) from %s", cq, got, fields, cq.Values().Encode())
		}
	}
}
