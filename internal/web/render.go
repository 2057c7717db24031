package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/ui"
)

func uiFS(dev bool) fs.FS {
	if dev {
		return os.DirFS("internal/ui")
	}
	return ui.Files
}

// staticFiles serves embedded assets under /static/{sum}/{name} with a
// year-long immutable cache (the checksum changes when the file does).
type staticFiles struct {
	files map[string][]byte
	sums  map[string]string
}

func loadStatic(dev bool) (*staticFiles, error) {
	sf := &staticFiles{files: map[string][]byte{}, sums: map[string]string{}}
	root := uiFS(dev)
	err := fs.WalkDir(root, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		sf.files[name], sf.sums[name] = b, hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return sf, err
}

// URL returns the versioned URL of a static file.
func (sf *staticFiles) URL(name string) string {
	sum, ok := sf.sums[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + sum + "/" + name
}

func (sf *staticFiles) serve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, ok := sf.files[name]
	if !ok || sf.sums[name] != r.PathValue("sum") {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(b)
}

// templates holds one parsed set per page (layout + partials + page; see
// parseTemplates).
type templates struct {
	pages map[string]*template.Template
}

// pageNames are the pages that must exist; startup fails if one is missing.
var pageNames = []string{"login", "login_2fa", "password", "home", "account", "account_2fa", "users", "user_new", "user_edit", "orgs", "audit", "error", "cases", "case_new", "case", "inbox", "track", "centre", "unit_edit", "mediator_edit", "members", "members_print", "org_edit", "rules", "stats", "stats_list", "board", "dashboard", "report", "print", "exports", "security", "tokens",
	"privacy", "privacy_retention", "privacy_record", "privacy_access"}

func baseFuncs(sf *staticFiles) template.FuncMap {
	return template.FuncMap{
		"t":      func(key string, args ...any) string { return key },
		"static": sf.URL,
		"cst": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(domain.CST).Format("2006-01-02 15:04")
		},
		"cstday": func(t time.Time) string { return t.In(domain.CST).Format("2006年1月2日") },
		"cstiso": func(s string) string {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return s
			}
			return t.In(domain.CST).Format("2006-01-02")
		},
		"cstshort": func(t time.Time) string { return t.In(domain.CST).Format("01-02 15:04") },
		"cstsec":   func(t time.Time) string { return t.In(domain.CST).Format("2006-01-02 15:04:05") },
		"maskphone": func(s string) string {
			if s == "" {
				return "—"
			}
			return domain.MaskPhone(s)
		},
		"join": strings.Join,
		"has":  func(u *domain.User, r string) bool { return u != nil && u.Has(domain.Role(r)) },
		"can":  func(u *domain.User, a string) bool { return authz.Allowed(u, authz.Action(a)) },
		"roles": func() []domain.Role { // the roles an administrator may give: the business roles
			return slices.DeleteFunc(slices.Clone(domain.AllRoles), func(r domain.Role) bool { return r.IsAdmin() || r == domain.RoleCitizen })
		},
		"hasrole": func(rs []domain.Role, r domain.Role) bool {
			for _, x := range rs {
				if x == r {
					return true
				}
			}
			return false
		},
		"add":      func(a, b int) int { return a + b },
		"pct":      func(f float64) int { return int(f*100 + 0.5) },
		"pct1":     func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) },
		"mins":     func(d time.Duration) int { return int(d / time.Minute) },
		"days":     func(d time.Duration) int { return int(d / (24 * time.Hour)) },
		"yuan":     func(cents int64) string { return strconv.FormatFloat(float64(cents)/100, 'f', -1, 64) },
		"contains": func(list []string, s string) bool { return slices.Contains(list, s) },
		"hasscope": func(list []domain.Scope, s domain.Scope) bool { return slices.Contains(list, s) },
		"str":      func(v any) string { return fmt.Sprint(v) },
		"dict":     dict,
		"list":     func(xs ...string) []string { return xs },
		// The inform action's methods (告知方式), and whether a recorded
		// method is one of them (older informs hold free text).
		"informmethods": func() []string { return domain.InformMethods },
		"informcode":    domain.IsInformMethod,
		"yearlist": func(ys []int) []string {
			out := make([]string, len(ys))
			for i, y := range ys {
				out[i] = strconv.Itoa(y)
			}
			return out
		},
		// short drops a county's name in front of a unit's (子洲县交通运输局
		// → 交通运输局) where space is tight.
		"short": func(name string) string {
			if i := strings.Index(name, "县"); i > 0 && i <= 12 && len(name)-i-len("县") >= 6 {
				return name[i+len("县"):]
			}
			return name
		},

		// hasprefix: whether a path lies under another (a page's section tabs).
		"hasprefix": strings.HasPrefix,
	}
}

func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// Templates live in three folders of internal/ui/templates:
//
//   - layout/ holds the page frame ("base") and its pieces (top bar, side
//     navigation);
//   - partials/ holds the reusable pieces, grouped by context in
//     subfolders (common, identity, case, registry, report), any depth;
//   - pages/<context>/<page>.html holds one page, defining "content" (or
//     "document" for a page of its own); the page's name is its file name.
//
// Every page's set is layout + partials + its page, parsed once at start.
//
// Dispatch by name: html/template cannot {{template}} a computed name, so
// the functions `partial NAME DATA` and `partialOr NAME FALLBACK DATA`
// execute a named template of the same set into a buffer and return it as
// template.HTML (use them in HTML text context only: the partial is
// escaped as element content). `partial` fails the render when NAME is not
// defined (the matter page's action forms: "action/<action>", so an action
// without a form is an error, never an empty box); `partialOr` falls back
// to FALLBACK (the timeline's "timeline/<action>" lines fall back to
// "timeline/default"). The functions are bound to the set they run in:
// render rebinds them on its per-request clone, with the request's "t".
func parseTemplates(dev bool, sf *staticFiles) (*templates, error) {
	root := uiFS(dev)
	shared, err := fs.Glob(root, "templates/layout/*.html")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(root, "templates/partials", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			shared = append(shared, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	common, err := template.New("").Funcs(baseFuncs(sf)).Funcs(formFuncs()).Funcs(partialFuncs(nil)).ParseFS(root, shared...)
	if err != nil {
		return nil, fmt.Errorf("web: parse layout and partials: %w", err)
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		files, err := fs.Glob(root, "templates/pages/*/"+name+".html")
		if err != nil {
			return nil, err
		}
		if len(files) != 1 {
			return nil, fmt.Errorf("web: page %s: want one templates/pages/*/%s.html, have %d", name, name, len(files))
		}
		tp, err := common.Clone()
		if err != nil {
			return nil, err
		}
		if tp, err = tp.ParseFS(root, files[0]); err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		tp.Funcs(partialFuncs(tp))
		t.pages[name] = tp
	}
	return t, nil
}

// partialFuncs returns `partial` and `partialOr` bound to set tp (see
// parseTemplates).
func partialFuncs(tp *template.Template) template.FuncMap {
	exec := func(name string, data any) (template.HTML, error) {
		var b strings.Builder
		if err := tp.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		return template.HTML(b.String()), nil
	}
	return template.FuncMap{
		"partial": func(name string, data any) (template.HTML, error) {
			if tp == nil || tp.Lookup(name) == nil {
				return "", fmt.Errorf("web: no partial %q", name)
			}
			return exec(name, data)
		},
		"partialOr": func(name, fallback string, data any) (template.HTML, error) {
			if tp == nil {
				return "", fmt.Errorf("web: no partial %q", name)
			}
			if tp.Lookup(name) == nil {
				name = fallback
			}
			return exec(name, data)
		},
	}
}

// page is the data every template gets.
type page struct {
	Lang     string
	OtherURL string // the same page in the other language
	User     *domain.User
	CSRF     string
	Flash    string
	Title    string
	Path     string
	Nav      []navItem
	Centre   string
	Version  string
	Errors   map[string]string // field → translated message
	Error    string            // form-level message
	Data     any
	Unread   int // unread notifications (the inbox badge)

	// ErrorLink is where the alert (Error) leads: the refused form;
	// FlashLink a link after the flash (the next matter waiting).
	ErrorLink string
	FlashLink *flashLink
}

type navItem struct {
	Href, Key, Icon string
	Active          bool
}

// nav lists the left navigation for the user's roles.
func nav(u *domain.User, current string) []navItem {
	items := []struct {
		href, key, icon string
		perm            authz.Action
	}{
		{"/", "nav.home", "home", authz.Authenticated},
		{"/cases", "nav.cases", "cases", authz.CaseView},
		{"/cases/new", "nav.register", "register", authz.CaseRegister},
		{"/inbox", "nav.inbox", "inbox", authz.Authenticated},
		{"/dashboard", "nav.dashboard", "board", authz.CaseView},
		{"/stats", "nav.stats", "stats", authz.CaseView},
		{"/centre", "nav.centre", "centre", authz.CaseView},
		{"/exports", "nav.exports", "exports", authz.PersonalReveal},
		{"/orgs", "nav.orgs", "tree", authz.OrgView},
		{"/admin/users", "nav.users", "users", authz.UserView},
		{"/admin/tokens", "nav.tokens", "tokens", authz.UserView},
		{"/admin/audit", "nav.audit", "audit", authz.AuditView},
		{"/admin/security", "nav.security", "audit", authz.SecurityView},
		{"/admin/privacy", "nav.privacy", "privacy", authz.PrivacyApprove},
		{"/admin/privacy/access", "nav.privacy_access", "audit", authz.AuditView},
		{"/admin/rules", "nav.rules", "rules", authz.UserManage},
		{"/account", "nav.account", "account", authz.Authenticated},
	}
	var out []navItem
	for _, it := range items {
		if authz.Allowed(u, it.perm) {
			active := current == it.href || (it.href != "/" && it.href != "/cases" && strings.HasPrefix(current, it.href)) ||
				(it.href == "/cases" && strings.HasPrefix(current, "/cases") && current != "/cases/new")
			out = append(out, navItem{it.href, it.key, it.icon, active})
		}
	}
	return out
}

// render writes a page into a buffer first so an error never leaves half a
// page (a render error becomes the 500 page).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	a := domain.ActorFrom(r.Context())
	pref := ""
	if a.User != nil {
		pref = a.User.Lang
	}
	p.Lang = i18n.Pick(r, pref)
	p.User = a.User
	if sess := httpx.SessionFrom(r.Context()); sess != nil && p.CSRF == "" { // set: a session renewed by this request
		p.CSRF = sess.CSRF
	}
	p.Path = r.URL.Path
	if a.User != nil && !s.svc.MustChangePassword(a.User) && !s.svc.MustEnrol(a.User) {
		// Until a forced password change or enrolment is done, nothing else is reachable.
		p.Nav = nav(a.User, r.URL.Path)
		p.Unread = s.svc.UnreadCount(r.Context())
	}
	p.Centre = s.cfg.CentreName
	p.Version = s.cfg.Version
	p.OtherURL = otherLangURL(r, p.Lang)
	if p.Flash == "" {
		p.Flash = s.takeFlash(w, r)
	}
	if c := r.URL.Query().Get("lang"); i18n.Supported(c) != "" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: i18n.Supported(c), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: s.secure(r)})
	}
	tp, ok := s.tpl.pages[name]
	if !ok {
		s.renderPlain500(w, r, fmt.Errorf("no page %s", name))
		return
	}
	tc, err := tp.Clone()
	if err != nil {
		s.renderPlain500(w, r, err)
		return
	}
	lang := p.Lang
	tc.Funcs(template.FuncMap{"t": func(key string, args ...any) string { return i18n.T(lang, key, args...) }})
	tc.Funcs(partialFuncs(tc))
	var buf bytes.Buffer
	layout := "base"
	if tc.Lookup("document") != nil {
		layout = "document" // a page of its own: the big screen, a printed form
	}
	if err := tc.ExecuteTemplate(&buf, layout, p); err != nil {
		s.renderPlain500(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

func otherLangURL(r *http.Request, lang string) string {
	q := r.URL.Query()
	if lang == "en" {
		q.Set("lang", "zh-CN")
	} else {
		q.Set("lang", "en")
	}
	if r.Method != http.MethodGet {
		return r.URL.Path + "?lang=" + q.Get("lang")
	}
	return r.URL.Path + "?" + q.Encode()
}

func (s *Server) renderPlain500(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("render failed", "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "内部错误 / Internal error. 请求编号 / Request ID: %s\n", domain.ActorFrom(r.Context()).RequestID)
}

// Flash messages travel in a short-lived cookie holding a message key.
func (s *Server) setFlash(w http.ResponseWriter, r *http.Request, key string) {
	http.SetCookie(w, &http.Cookie{Name: "flash", Value: key, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie("flash")
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: "flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	if !strings.HasPrefix(c.Value, "flash.") {
		return ""
	}
	return c.Value
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return domain.ErrNotFound
}

// renderError shows the error page with a request ID and no internals.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if domain.ErrorCode(err) == domain.Unauthorized {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	pref := ""
	if u := domain.ActorFrom(r.Context()).User; u != nil {
		pref = u.Lang
	}
	status, d := httpx.Describe(r, s.log, i18n.Pick(r, pref), err)
	p := &page{Title: "error.title", Data: map[string]any{"Status": status, "Message": d.Message, "RequestID": d.RequestID}}
	s.render(w, r, status, "error", p)
}
