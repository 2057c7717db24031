package api

import (
	"net/http"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
)

// Token scopes (README "API tokens", openapi.json: the bearer scheme and
// each operation's x-token-scope). A request with a token passes the
// route's permission for the account first, then its scope here: a scope
// narrows what a token may do and never widens the account. "" is the
// token holder's own account (who am I, the own tokens), open to every
// token; a route missing from the table is closed to tokens (a test keeps
// the table complete). Public routes need no scope.
var routeScopes = map[string]domain.Scope{
	"GET /api/v1/me":                         "",
	"PATCH /api/v1/me":                       "",
	"GET /api/v1/tokens":                     "",
	"POST /api/v1/tokens":                    "",
	"POST /api/v1/tokens/{tokenID}/revoke":   "",
	"GET /api/v1/notifications":              domain.ScopeCasesRead,
	"GET /api/v1/work":                       domain.ScopeCasesRead,
	"GET /api/v1/work/next":                  domain.ScopeCasesRead,
	"GET /api/v1/work/tasks":                 domain.ScopeCasesRead,
	"GET /api/v1/categories":                 domain.ScopeCasesRead,
	"GET /api/v1/orgs":                       domain.ScopeCasesRead,
	"GET /api/v1/orgs/{code}":                domain.ScopeCasesRead,
	"GET /api/v1/places":                     domain.ScopeCasesRead,
	"GET /api/v1/cases":                      domain.ScopeCasesRead,
	"GET /api/v1/cases/{caseID}":             domain.ScopeCasesRead,
	"GET /api/v1/cases/{caseID}/suggestions": domain.ScopeCasesRead,
	"GET /api/v1/cases/{caseID}/related":     domain.ScopeCasesRead,
	"GET /api/v1/cases/{caseID}/candidates":  domain.ScopeCasesRead,
	"GET /api/v1/cases/{caseID}/members":     domain.ScopeCasesRead,

	"POST /api/v1/cases":                                     domain.ScopeCasesWrite,
	"POST /api/v1/cases/suggest":                             domain.ScopeCasesWrite,
	"POST /api/v1/cases/bulk/dispatch":                       domain.ScopeCasesWrite,
	"POST /api/v1/cases/{caseID}/members":                    domain.ScopeCasesWrite,
	"POST /api/v1/cases/{caseID}/members/{memberID}/confirm": domain.ScopeCasesWrite,
	"POST /api/v1/cases/{caseID}/units":                      domain.ScopeCasesWrite,
	"POST /api/v1/cases/{caseID}/actions/{action}":           domain.ScopeCasesWrite,
	"POST /api/v1/cases/{caseID}/parties/{partyID}/reveal":   domain.ScopeReveal,

	"GET /api/v1/stats":           domain.ScopeStatsRead,
	"GET /api/v1/stats/list":      domain.ScopeStatsRead,
	"GET /api/v1/board":           domain.ScopeStatsRead,
	"GET /api/v1/reports/monthly": domain.ScopeStatsRead,
	"GET /api/v1/centre":          domain.ScopeStatsRead,

	"GET /api/v1/cases/ledger.xlsx":     domain.ScopeExports,
	"POST /api/v1/exports":              domain.ScopeExports,
	"GET /api/v1/exports":               domain.ScopeExports,
	"POST /api/v1/exports/{id}/approve": domain.ScopeExports,
	// A person's data for their own request (PIPL 45–47): the exports scope.
	"POST /api/v1/privacy/find":                             domain.ScopeExports,
	"GET /api/v1/privacy/requests":                          domain.ScopeExports,
	"POST /api/v1/privacy/requests":                         domain.ScopeExports,
	"POST /api/v1/privacy/requests/{id}/approve":            domain.ScopeExports,
	"GET /api/v1/privacy/requests/{id}/copy.xlsx":           domain.ScopeExports,
	"PUT /api/v1/privacy/retention/{kind}":                  domain.ScopeExports,
	"POST /api/v1/privacy/retention/run":                    domain.ScopeExports,
	"POST /api/v1/cases/{caseID}/parties/{partyID}/correct": domain.ScopeExports,
	"GET /api/v1/privacy/retention":                         domain.ScopeStatsRead,
	"GET /api/v1/privacy/record":                            domain.ScopeStatsRead,
	"GET /api/v1/privacy/access":                            domain.ScopeAdminRead,
	"GET /api/v1/reveal-grants":                             domain.ScopeReveal,
	"POST /api/v1/reveal-grants":                            domain.ScopeReveal,
	"POST /api/v1/reveal-grants/{id}/approve":               domain.ScopeExports,

	"GET /api/v1/users":                          domain.ScopeAdminRead,
	"GET /api/v1/users/{userID}":                 domain.ScopeAdminRead,
	"GET /api/v1/audit":                          domain.ScopeAdminRead,
	"GET /api/v1/admin/tokens":                   domain.ScopeAdminRead,
	"GET /api/v1/assess/rules":                   domain.ScopeAdminRead,
	"POST /api/v1/orgs/{code}/grids":             domain.ScopeAdminWrite,
	"POST /api/v1/users":                         domain.ScopeAdminWrite,
	"PATCH /api/v1/users/{userID}":               domain.ScopeAdminWrite,
	"POST /api/v1/users/{userID}/reset-password": domain.ScopeAdminWrite,
	"POST /api/v1/users/{userID}/reset-2fa":      domain.ScopeAdminWrite,
	"GET /api/v1/security/report":                domain.ScopeAdminRead,
	"POST /api/v1/security/alerts/{id}/handle":   domain.ScopeAdminWrite,
	"POST /api/v1/admin/tokens/{tokenID}/revoke": domain.ScopeAdminWrite,
	"POST /api/v1/centre/import":                 domain.ScopeAdminWrite,
	"POST /api/v1/centre/roster":                 domain.ScopeAdminWrite,
	"POST /api/v1/centre/posts":                  domain.ScopeAdminWrite,
	"PUT /api/v1/assess/rules":                   domain.ScopeAdminWrite,
}

// RouteScope returns the scope a route needs of a token, and whether the
// route is open to tokens at all (for tests and the docs).
func RouteScope(pattern string) (domain.Scope, bool) {
	s, ok := routeScopes[pattern]
	return s, ok
}

// requireScope refuses a token-authenticated request outside its token's
// scopes: 403 token.scope naming the scope, with the RFC 6750 header, and
// a refusal audited once an hour per token.
func (a *API) requireScope(pattern string, perm authz.Action, next http.Handler) http.Handler {
	need, open := routeScopes[pattern]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := domain.ActorFrom(r.Context()).Token
		if t == nil || perm == authz.Public || (open && domain.Covers(t.Scopes, need)) {
			next.ServeHTTP(w, r)
			return
		}
		if !open {
			need = "(none: not open to tokens)"
		}
		a.svc.RefuseTokenScope(r.Context(), need)
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+string(need)+`"`)
		a.Fail(w, r, &domain.Error{Code: domain.Forbidden, Key: "token.scope", Args: []any{string(need)}})
	})
}
