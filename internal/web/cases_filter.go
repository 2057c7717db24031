package web

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"jiefen/internal/domain"
)

// filterChip is one active filter of the matters' list, shown as a chip
// that removes it: a label (a message key), its value (a message key to
// translate, or text as it is, or neither for a yes/no filter) and the
// list's address without it.
type filterChip struct {
	Label, ValueKey, Value, Remove string
}

// flagFilters are the yes/no filters (value "1") and their labels; the
// first three are in the form, the others come from the home page's tiles
// and the statistics' lists and ride along as hidden fields.
var flagFilters = []struct{ name, label string }{
	{"overdue", "cases.overdue"}, {"mine", "cases.mine"}, {"cohandled", "cases.cohandled"},
	{"lead", "work.leading"}, {"regrade", "work.to_regrade"}, {"due_soon", "work.due_soon"},
	{"to_reply", "work.to_reply"}, {"counted", "cases.counted"},
}

// hiddenFlags are the yes/no filters that have no field in the form.
var hiddenFlags = []string{"lead", "regrade", "due_soon", "to_reply", "counted"}

// filterChips lists the active filters of query q in the form's order;
// each chip's link is the list's address link without it (link holds a
// search by ID number or phone as its reference "s", searchValues). The
// place is named by its name when it is a known place.
func (s *Server) filterChips(ctx context.Context, q, link url.Values, cats []domain.Category) []filterChip {
	var out []filterChip
	add := func(name, label, key, value string) {
		rest := url.Values{}
		for k, v := range link {
			if k != name && !(name == "q" && k == "s") && k != "cursor" && strings.Join(v, "") != "" { // the form's empty fields too
				rest[k] = v
			}
		}
		href := "/cases"
		if len(rest) > 0 {
			href += "?" + rest.Encode()
		}
		out = append(out, filterChip{Label: label, ValueKey: key, Value: value, Remove: href})
	}
	if v := q.Get("q"); v != "" {
		add("q", "cases.search", "", v)
	}
	if v := q.Get("status"); v == "open" {
		add("status", "cases.status", "cases.status.open", v)
	} else if v != "" {
		add("status", "cases.status", known("status.", v, domain.Statuses), v)
	}
	if v := q.Get("risk"); v != "" {
		add("risk", "cases.risk", known("risk.", v, domain.Risks), v)
	}
	if v := q.Get("category"); v != "" {
		if i := slices.IndexFunc(cats, func(c domain.Category) bool { return c.Code == v }); i >= 0 {
			v = cats[i].Name
		}
		add("category", "cases.category", "", v)
	}
	if v := q.Get("channel"); v != "" {
		add("channel", "case.channel", known("channel.", v, domain.Channels), v)
	}
	if v := q.Get("org_code"); v != "" {
		if domain.ValidCode(v) {
			if o, err := s.svc.Org(ctx, v); err == nil {
				v = o.Name
			}
		}
		add("org_code", "cases.org_code", "", v)
	}
	for _, d := range []struct{ name, label string }{{"from", "audit.from"}, {"to", "audit.to"}} {
		if v := q.Get(d.name); v != "" {
			add(d.name, d.label, "", v)
		}
	}
	if v := q.Get("overdue"); v == "open" || v == "followup" {
		add("overdue", "cases.overdue."+v, "", "")
	}
	for _, f := range flagFilters {
		if q.Get(f.name) == "1" {
			add(f.name, f.label, "", "")
		}
	}
	return out
}

// known is the message key of code v in list (prefix+v), or "" when v is
// not one of them (shown as typed then, so it can still be removed).
func known[T ~string](prefix, v string, list []T) string {
	if slices.Contains(list, T(v)) {
		return prefix + v
	}
	return ""
}
