package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

var (
	hiddenRE = regexp.MustCompile(`(?is)<(script|style|title)\b.*?</(script|style|title)>`)
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	hanRE    = regexp.MustCompile(`\p{Han}`)
	wordRE   = regexp.MustCompile(`[A-Za-z_]+`)
)

// codesInChinese lists the workflow, status and risk codes that stand as
// words in a line of the page's visible Chinese text (tags, attributes,
// scripts and styles removed: codes in URLs, values and classes are fine).
func codesInChinese(page string) []string {
	codes := map[string]bool{}
	for _, t := range domain.Workflow {
		codes[t.Action] = true
	}
	for _, s := range domain.Statuses {
		codes[string(s)] = true
	}
	for _, r := range domain.Risks {
		codes[string(r)] = true
	}
	for _, c := range domain.Channels {
		codes[string(c)] = c != "other" // also a category's code, which the rules page shows an administrator
	}
	codes["open"], codes["followup"], codes["none"] = true, true, true // the list's filter words, an export's old "no filter"
	text := html.UnescapeString(tagRE.ReplaceAllString(hiddenRE.ReplaceAllString(page, ""), " "))
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if !hanRE.MatchString(line) {
			continue
		}
		for _, w := range wordRE.FindAllString(line, -1) {
			if codes[w] {
				out = append(out, w+" in "+strings.Join(strings.Fields(line), " "))
			}
		}
	}
	return out
}

// No code reaches the Chinese text of a page: the main pages of every role,
// the export requests and a refused action's error show display names.
func TestNoCodesInChineseText(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		roles := []domain.Role{domain.RoleReceptionist, domain.RoleDispatcher, domain.RoleHandler, domain.RoleMediator,
			domain.RoleGridWorker, domain.RoleLeader, domain.RoleReviewer, domain.RoleAdmin, domain.RoleSecurityAdmin, domain.RoleAuditAdmin}
		clients := map[domain.Role]*client{}
		for _, role := range roles {
			name, org := "c"+strings.ReplaceAll(string(role), "_", ""), "610831"
			if role == domain.RoleGridWorker {
				org = "610831101200001"
			}
			e.user(name, org, role)
			clients[role] = e.client()
			clients[role].login(name, jftest.Password)
		}
		id := clients[domain.RoleReceptionist].registerCase("610831101")
		disp := clients[domain.RoleDispatcher]
		disp.act(id, "assess", url.Values{"risk": {"blue"}, "category": {"land"}})
		check := func(who, path, body string) {
			t.Helper()
			for _, c := range codesInChinese(body) {
				t.Errorf("%s %s: code %s", who, path, c)
			}
		}
		// A refused action: the matter is assessed already.
		resp, body := disp.post("/cases/"+itoa(id)+"/actions/assess", url.Values{"risk": {"red"}, "category": {"land"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "不能进行“研判”操作（当前：已研判）") {
			t.Errorf("assess twice: %d, want 409 with the names of the action and the status", resp.StatusCode)
		}
		check("dispatcher", "assess twice", body)
		// Two export requests: one with the list's filters, one without.
		for _, q := range []string{"?status=open&risk=red&channel=visit&overdue=followup&org_code=610831101&from=2026-01-01", ""} {
			if resp, _ := disp.post("/cases/export.xlsx"+q, url.Values{"reason": {"报送县司法局"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("export request %q: %d", q, resp.StatusCode)
			}
		}
		_, body = disp.get("/exports")
		for _, want := range []string{"在办（未办结）", "红色", "来访", "告知/回访超期", "何家集镇", "2026-01-01", "辖区内全部事项"} {
			if !strings.Contains(body, want) {
				t.Errorf("/exports lacks %q in its requests' filters", want)
			}
		}
		// The audit page names a matter's action, its states and its data.
		_, body = clients[domain.RoleAuditAdmin].get("/admin/audit?action=case.")
		for _, want := range []string{"研判", "已登记 → 已研判", "蓝色", "登记事项"} {
			if !strings.Contains(body, want) {
				t.Errorf("/admin/audit lacks %q", want)
			}
		}
		_, body = clients[domain.RoleAuditAdmin].get("/admin/audit?action=ledger.")
		for _, want := range []string{"申请个人信息导出", "范围：状态：在办（未办结）", "风险：红色", "范围：辖区内全部事项", "用途：报送县司法局"} {
			if !strings.Contains(body, want) {
				t.Errorf("/admin/audit?action=ledger. lacks %q", want)
			}
		}
		pages := []string{"/", "/account", "/inbox", "/cases", "/cases?status=open&overdue=followup&risk=red&channel=visit", "/cases/new", "/cases/" + itoa(id), "/stats", "/stats/list?fig=registered",
			"/board", "/dashboard", "/reports/monthly", "/centre", "/orgs", "/admin/users", "/admin/rules", "/exports", "/admin/audit", "/admin/security"}
		for _, role := range roles {
			for _, p := range pages {
				if resp, body := clients[role].get(p); resp.StatusCode == http.StatusOK {
					check(string(role), p, body)
				}
			}
		}
	})
}
