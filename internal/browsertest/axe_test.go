package browsertest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"jiefen/internal/demo"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// axeDefault is where .ci/run installs axe-core (npm ci in .ci/axe).
const axeDefault = "../../.ci/axe/node_modules/axe-core/axe.min.js"

// axeSource reads axe-core from $JIEFEN_AXE or the default place, or skips
// (fails under CI, where .ci/run installs it).
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("JIEFEN_AXE")
	if p == "" {
		p = axeDefault
	}
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core not found at %s (%v): .ci/run installs it with npm ci --prefix .ci/axe, the accessibility test must run under CI", p, err)
		}
		t.Skipf("accessibility test skipped: no axe-core at %s; run `npm ci --prefix .ci/axe` (or set JIEFEN_AXE=/path/to/axe.min.js)", p)
	}
	return string(b)
}

// The rules axe runs: WCAG 2.0 and 2.1, levels A and AA, and axe's best
// practices. A finding of an impact in axeImpacts fails the test.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
	resultTypes: ["violations"]}).then(function (r) {
	return r.violations.map(function (v) {
		return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {
			var m = (n.any.concat(n.all, n.none).map(function (c) { return c.message; }).filter(Boolean)[0]) || n.failureSummary || "";
			return {target: n.target.join(" "), html: n.html.slice(0, 160), message: m};
		})};
	});
})`

type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	Nodes  []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Message string `json:"message"`
}

// axeImpacts are the impacts that fail the test: critical and serious, or
// those listed in $JIEFEN_AXE_IMPACTS (e.g. critical,serious,moderate,minor
// for a full audit); findings of other impacts are counted in the log.
func axeImpacts() []string {
	if v := os.Getenv("JIEFEN_AXE_IMPACTS"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{"critical", "serious"}
}

// fontOf is the font part of axe's contrast message, left out when findings
// are grouped (one colour pair is one fix, whatever the text's size).
var fontOf = regexp.MustCompile(`, font size: [^,]*, font weight: [a-z]+`)

// axeFinding is one failing element on one page, at one width, for one role.
type axeFinding struct {
	rule, impact, help string
	node               axeNode
	where              string // "/cases @375 (dispatcher)"
}

// axeLog gathers the findings and the count of page checks of the whole run.
type axeLog struct {
	mu       sync.Mutex
	checks   int
	findings []axeFinding
	lesser   map[string]int // findings of the other impacts by rule: logged, not failed
	impacts  []string
}

// axeSlots bounds how many axe runs go at once: each takes a core for a
// while, and the roles' tabs run side by side beside the other packages'
// tests (unbounded, one run was seen to exceed its step timeout).
var axeSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))

// check runs axe over the tab's page and records what it finds.
func (l *axeLog) check(tb *tab, label string) {
	tb.t.Helper()
	axeSlots <- struct{}{}
	defer func() { <-axeSlots }()
	// A matter page's run took over 45 s in CI (the race-enabled suites
	// beside it on two cores); alone, the whole test takes about 140 s.
	ctx, cancel := context.WithTimeout(tb.ctx, 4*stepTimeout)
	defer cancel()
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("axe on %s: %v", label, err)
	}
	where := label + " @" + tb.vp.name
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checks++
	for _, v := range vs {
		if !slices.Contains(l.impacts, v.Impact) {
			if l.lesser == nil {
				l.lesser = map[string]int{}
			}
			l.lesser[v.ID+" ("+v.Impact+")"] += len(v.Nodes)
			continue
		}
		for _, n := range v.Nodes {
			l.findings = append(l.findings, axeFinding{rule: v.ID, impact: v.Impact, help: v.Help, node: n, where: where})
		}
	}
}

// report is the findings grouped by rule and axe's reason (which names the
// colours for a contrast finding), each with the elements and the pages it
// was found on, so one fix in a shared template or colour token reads as
// one entry, not as hundreds.
func (l *axeLog) report() string {
	type key struct{ rule, impact, help, message string }
	type group struct {
		targets, html, pages []string
		n                    int
	}
	groups := map[key]*group{}
	var keys []key
	for _, f := range l.findings {
		k := key{f.rule, f.impact, f.help, fontOf.ReplaceAllString(f.node.Message, "")}
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
			keys = append(keys, k)
		}
		g.n++
		if !slices.Contains(g.targets, f.node.Target) {
			g.targets = append(g.targets, f.node.Target)
			g.html = append(g.html, f.node.HTML)
		}
		if !slices.Contains(g.pages, f.where) {
			g.pages = append(g.pages, f.where)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].rule != keys[j].rule {
			return keys[i].rule < keys[j].rule
		}
		return groups[keys[i]].n > groups[keys[j]].n
	})
	var b strings.Builder
	rule := ""
	for _, k := range keys {
		if k.rule != rule {
			rule = k.rule
			fmt.Fprintf(&b, "\n%s (%s): %s\n", k.rule, k.impact, k.help)
		}
		g := groups[k]
		fmt.Fprintf(&b, "  %d× %s\n", g.n, k.message)
		for i := range min(len(g.targets), 4) {
			fmt.Fprintf(&b, "    element %s  %s\n", g.targets[i], g.html[i])
		}
		if len(g.targets) > 4 {
			fmt.Fprintf(&b, "    … and %d more elements\n", len(g.targets)-4)
		}
		fmt.Fprintf(&b, "    on %s\n", strings.Join(g.pages[:min(len(g.pages), 8)], ", "))
		if len(g.pages) > 8 {
			fmt.Fprintf(&b, "    … and %d more pages\n", len(g.pages)-8)
		}
	}
	return b.String()
}

// axePage is a page to check: its path, a label for the report (the path
// without its ids), and what status it must answer with: nav pages must
// open, the error page is checked as the error it is, other pages are
// checked where the role may see them.
type axePage struct {
	path, label string
	must, error bool
}

// TestAccessibility runs axe-core over every page each role reaches (its
// navigation, the matter page in each state, the printed documents, the
// forms and their error states, the error and public pages) at 1366 and
// 375 px on the demo's data, and fails on any critical or serious finding.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	var accounts []demo.Account
	// Ten roles' pages at two widths: alone about 150 s, beside the other
	// suites on two cores several times that.
	e := newEnvTimed(t, jftest.FastPolicy(), func(svc *service.Service) {
		var err error
		start := time.Now()
		accounts, err = demo.Prepare(context.Background(), svc, 60, func(string) {})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("demo data in %s", time.Since(start).Round(time.Millisecond))
	}, 4*testTimeout)
	matters := axeMatters(t, e)
	log := &axeLog{impacts: axeImpacts()}
	t.Cleanup(func() {
		t.Logf("axe-core: %d page checks, %d %s findings; others (not failed): %v",
			log.checks, len(log.findings), strings.Join(log.impacts, " or "), log.lesser)
	})

	t.Run("public", func(t *testing.T) {
		t.Parallel()
		tb := axeTab(t, e, src)
		for _, vp := range []viewport{desktop, phone} {
			tb.vp = vp
			tb.do("viewport", vp.action())
			axePublic(tb, log, matters)
		}
	})
	seen := map[string]bool{}
	for _, a := range accounts {
		if seen[a.Role] { // one account per role (the demo has three leaders)
			continue
		}
		seen[a.Role] = true
		t.Run(a.Role, func(t *testing.T) {
			t.Parallel()
			tb := axeTab(t, e, src)
			tb.login(a.Username, a.Password)
			tb.wantPath("/")
			pages := axeRolePages(tb, matters)
			for _, vp := range []viewport{desktop, phone} {
				tb.vp = vp
				tb.do("viewport", vp.action())
				n := 0
				for _, p := range pages {
					ok := axeOpen(tb, p.path)
					if !ok && p.must {
						t.Errorf("%s cannot open %s, a page of its navigation", a.Role, p.path)
					}
					if ok || p.error {
						log.check(tb, p.label+" ("+a.Role+")")
						axeShot(tb, a.Role, p.label)
						n++
					}
				}
				n += axeForms(tb, log, a.Role, matters)
				t.Logf("%s @%s: %d pages checked", a.Role, vp.name, n)
			}
		})
	}
	t.Cleanup(func() {
		if len(log.findings) > 0 {
			t.Errorf("axe-core found %d %s problems over %d page checks "+
				"(by rule and reason: the elements' selectors and HTML, and the pages, as label (role) @width):\n%s",
				len(log.findings), strings.Join(log.impacts, " or "), log.checks, log.report())
		}
	})
}

// axeTab opens a tab that loads axe-core into every document it opens.
func axeTab(t *testing.T, e *env, src string) *tab {
	t.Helper()
	tb := e.newTab(t, desktop)
	tb.do("load axe-core", chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return chromedp.Void{}, err
	}))
	return tb
}

// axeOpen opens path and says whether the role may see it (a refusal or a
// missing page is not checked again for every role: the error page has a
// check of its own).
func axeOpen(tb *tab, path string) bool {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(tb.e.base+path))
	if err != nil {
		tb.t.Fatalf("open %s: %v", path, err)
	}
	return resp == nil || resp.Status < 400
}

// axeMatterSet are the matters whose pages are checked: one in each state
// (in the mediator's township where there is one, so more roles see it),
// and the one whose documents are printed.
type axeMatterSet struct {
	states       []domain.Status // the states found, in the order of the workflow
	ids          []int64         // their matters, in the same order
	byStatus     map[domain.Status]int64
	printed      int64  // a visited matter: every document fits it
	number, code string // a matter's number and query code for the tracking page
}

func axeMatters(t *testing.T, e *env) axeMatterSet {
	t.Helper()
	ms := axeMatterSet{byStatus: map[domain.Status]int64{}}
	ctx := context.Background()
	statuses := []domain.Status{domain.StatusRegistered, domain.StatusAssessed, domain.StatusDispatched, domain.StatusReturned,
		domain.StatusInResolution, domain.StatusClosed, domain.StatusInformed, domain.StatusVisited, domain.StatusArchived}
	err := e.svc.Store().View(ctx, func(tx *store.Tx) error {
		for _, s := range statuses {
			for _, path := range []string{"/" + demo.County + "/610831101/", "/"} {
				cs, err := tx.Cases(ctx, domain.CaseFilter{Path: path, Statuses: []domain.Status{s}, Limit: 1})
				if err != nil {
					return err
				}
				if len(cs) > 0 {
					ms.byStatus[s] = cs[0].ID
					ms.states = append(ms.states, s)
					ms.ids = append(ms.ids, cs[0].ID)
					if ms.number == "" {
						ms.number, ms.code = cs[0].Number, cs[0].QueryCode
					}
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms.ids) < 6 {
		t.Fatalf("the demo data has matters in only %d states", len(ms.ids))
	}
	ms.printed = ms.byStatus[domain.StatusVisited]
	if ms.printed == 0 {
		ms.printed = ms.ids[len(ms.ids)-1]
	}
	return ms
}

// axeRolePages are the pages the signed-in role reaches: its navigation,
// the pages its pages link to (first link of each kind), the matters and
// their documents, and the pages every account has.
func axeRolePages(tb *tab, ms axeMatterSet) []axePage {
	tb.t.Helper()
	var out []axePage
	add := func(path, label string) *axePage {
		for i := range out {
			if out[i].path == path {
				return &out[i]
			}
		}
		if label == "" {
			label = path
		}
		out = append(out, axePage{path: path, label: label})
		return &out[len(out)-1]
	}
	add("/", "").must = true
	for _, href := range eval[[]string](tb, `Array.from(document.querySelectorAll("#sidenav a[href]")).map(function(a){return a.getAttribute("href")})`) {
		add(href, "").must = true
	}
	for _, p := range []string{"/cases", "/cases/new", "/inbox", "/account", "/account/password", "/orgs", "/board", "/dashboard",
		"/stats", "/exports", "/reports/monthly", "/centre", "/admin/users", "/admin/users/new", "/admin/audit", "/admin/rules"} {
		add(p, "")
	}
	// One page of each kind that the list pages link to.
	for _, f := range []struct{ from, prefix, label string }{
		{"/stats", "/stats/list?", "/stats/list"}, {"/centre", "/centre/units/", "/centre/units/{code}"},
		{"/centre", "/centre/orgs/", "/centre/orgs/{code}"}, {"/centre", "/centre/mediators/", "/centre/mediators/{id}"},
		{"/admin/users", "/admin/users/", "/admin/users/{id}"},
	} {
		if !axeOpen(tb, f.from) {
			continue
		}
		href := eval[string](tb, `(function(){var a=Array.from(document.querySelectorAll("main a[href^='`+f.prefix+`']")).filter(function(a){
			return !/\/new$/.test(a.getAttribute("href"))})[0];return a?a.getAttribute("href"):""})()`)
		if href != "" {
			add(href, f.label)
		}
	}
	for _, s := range ms.states {
		add("/cases/"+strconv.FormatInt(ms.byStatus[s], 10), "/cases/{"+string(s)+"}")
	}
	id := strconv.FormatInt(ms.printed, 10)
	add("/cases/"+id+"/members", "/cases/{id}/members")
	for _, form := range report.PrintForms {
		add("/cases/"+id+"/print/"+form, "/cases/{id}/print/"+form)
	}
	add("/no-such-page", "404 page").error = true
	return out
}

// axeForms checks the forms' error states the role can reach: the
// registration form sent empty, and on the first matter page that offers
// the role a note (备注), the note sent empty. It returns the checks made.
func axeForms(tb *tab, log *axeLog, role string, ms axeMatterSet) int {
	tb.t.Helper()
	n := 0
	if axeOpen(tb, "/cases/new") {
		tb.submit(`form[action="/cases"] button[type=submit]`)
		log.check(tb, "/cases/new with errors ("+role+")")
		n++
	}
	const note = `form[action$="/actions/note"]`
	for _, id := range ms.ids {
		if !axeOpen(tb, "/cases/"+strconv.FormatInt(id, 10)) || !eval[bool](tb, `!!document.querySelector(`+jsString(note)+`)`) {
			continue
		}
		tb.act("note", nil)
		log.check(tb, "/cases/{id} after a failed 备注 ("+role+")")
		return n + 1
	}
	return n
}

// axePublic checks the pages a citizen and a signed-out person see: the
// sign-in page (and its error), the tracking page and its answer, the
// error page.
func axePublic(tb *tab, log *axeLog, ms axeMatterSet) {
	tb.t.Helper()
	tb.clearCookies()
	tb.open("/login")
	log.check(tb, "/login")
	tb.fill("#username", "nobody")
	tb.fill("#password", "Wrong#pass2024")
	tb.submit(`form[action="/login"] button[type=submit]`)
	log.check(tb, "/login failed")
	tb.open("/track")
	log.check(tb, "/track")
	if ms.number != "" {
		tb.set(map[string]string{`form[action="/track"] [name=number]`: ms.number, `form[action="/track"] [name=code]`: ms.code})
		tb.submit(`form[action="/track"] button[type=submit]`)
		tb.wantText(".track", ms.number)
		log.check(tb, "/track answer")
	}
	axeOpen(tb, "/no-such-page")
	log.check(tb, "404 page (signed out)")
}

// axeShot saves the page as the check saw it when JIEFEN_SCREENSHOTS is
// set (to compare the look before and after a colour change).
func axeShot(tb *tab, role, label string) {
	tb.t.Helper()
	if tb.e.shots == "" {
		return
	}
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", label, err)
	}
	name := strings.NewReplacer("/", "_", "{", "", "}", "", " ", "_", "?", "_").Replace(strings.Trim(label, "/"))
	if name == "" {
		name = "home"
	}
	file := filepath.Join(tb.e.shots, "axe-"+role+"-"+name+"-"+tb.vp.name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
