// Package api is jiefen's staff JSON API surface under /api/: bearer tokens
// (or the staff's cookie session), JSON errors and idempotent retries, on a
// mux of its own. It calls the same service use-cases as the web pages;
// errors are {"error":{"code","reason","message","fields","request_id"}}.
package api

import (
	_ "embed"
	"log/slog"
	"net/http"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/metrics"
	"jiefen/internal/service"
)

// API holds the handlers' dependencies.
type API struct {
	svc     *service.Service
	log     *slog.Logger
	version string
	// centreName heads the reports (the web server's --centre-name).
	centreName string
	secure     bool // cookies are Secure even without TLS
	metrics    *metrics.Registry
	mux        *httpx.Mux
	gate       *httpx.Gate
}

// New builds the API surface; its routes are counted in reg.
func New(cfg httpx.Config, svc *service.Service, log *slog.Logger, reg *metrics.Registry) *API {
	a := &API{svc: svc, log: log, version: cfg.Version, centreName: cfg.CentreName, secure: cfg.SecureCookies, metrics: reg}
	a.gate = &httpx.Gate{MustChange: svc.MustChangePassword, ChangeAllowed: mustChangeAllowed,
		Anonymous: noSession(a.log), ChangeDue: changeDue(a.log), Fail: a.Fail,
		MustEnrol: svc.MustEnrol, EnrolAllowed: mustChangeAllowed, EnrolDue: enrolDue(a.log)}
	a.mux = httpx.NewMux(a.wrapRoute)
	a.Register(a.mux)
	return a
}

// Routes lists every route of the surface and its permission (AC-2).
func (a *API) Routes() []httpx.Route { return a.mux.Routes }

// wrapRoute wraps each route: metrics, then the permission declared for it,
// then the scope a token needs for it.
func (a *API) wrapRoute(pattern string, perm authz.Action, h http.Handler) http.Handler {
	return a.metrics.Wrap(pattern, a.gate.Require(pattern, perm, a.requireScope(pattern, perm, h)))
}

type handler func(w http.ResponseWriter, r *http.Request) error

func (a *API) wrap(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			httpx.WriteError(w, r, a.log, err)
		}
	})
}

// Register adds every API route, each with its permission, to m.
func (a *API) Register(m *httpx.Mux) {
	m.Handle("GET /api/v1/openapi.json", authz.Public, http.HandlerFunc(a.openAPIHandler))
	m.Handle("POST /api/v1/track", authz.Public, a.wrap(a.trackHandler))
	m.Handle("GET /api/v1/me", authz.Authenticated, a.wrap(a.getMeHandler))
	m.Handle("PATCH /api/v1/me", authz.Authenticated, a.wrap(a.patchMeHandler))
	m.Handle("GET /api/v1/orgs", authz.OrgView, a.wrap(a.listOrgsHandler))
	m.Handle("GET /api/v1/orgs/{code}", authz.OrgView, a.wrap(a.getOrgHandler))
	m.Handle("POST /api/v1/orgs/{code}/grids", authz.OrgCreate, a.wrap(a.createGridHandler))
	m.Handle("GET /api/v1/users", authz.UserView, a.wrap(a.listUsersHandler))
	m.Handle("POST /api/v1/users", authz.UserManage, a.wrap(a.createUserHandler))
	m.Handle("GET /api/v1/users/{userID}", authz.UserView, a.wrap(a.getUserHandler))
	m.Handle("PATCH /api/v1/users/{userID}", authz.UserManage, a.wrap(a.updateUserHandler))
	m.Handle("POST /api/v1/users/{userID}/reset-password", authz.UserManage, a.wrap(a.resetPasswordHandler))
	m.Handle("POST /api/v1/users/{userID}/reset-2fa", authz.UserManage, a.wrap(a.resetSecondFactorHandler))
	m.Handle("GET /api/v1/tokens", authz.Authenticated, a.wrap(a.listTokensHandler))
	m.Handle("POST /api/v1/tokens", authz.Authenticated, a.wrap(a.createTokenHandler))
	m.Handle("POST /api/v1/tokens/{tokenID}/revoke", authz.Authenticated, a.wrap(a.revokeTokenHandler))
	m.Handle("GET /api/v1/admin/tokens", authz.UserView, a.wrap(a.adminTokensHandler))
	m.Handle("POST /api/v1/admin/tokens/{tokenID}/revoke", authz.UserManage, a.wrap(a.adminRevokeTokenHandler))
	m.Handle("GET /api/v1/audit", authz.AuditView, a.wrap(a.searchAuditHandler))
	m.Handle("GET /api/v1/notifications", authz.Authenticated, a.wrap(a.listNotificationsHandler))
	m.Handle("GET /api/v1/work", authz.Authenticated, a.wrap(a.workHandler))
	m.Handle("GET /api/v1/work/next", authz.Authenticated, a.wrap(a.nextWorkHandler))
	m.Handle("GET /api/v1/work/tasks", authz.CaseView, a.wrap(a.tasksHandler))
	m.Handle("GET /api/v1/categories", authz.Authenticated, a.wrap(a.listCategoriesHandler))
	m.Handle("GET /api/v1/cases", authz.CaseView, a.wrap(a.listCasesHandler))
	m.Handle("POST /api/v1/cases", authz.CaseRegister, a.idempotent(a.wrap(a.createCaseHandler)))
	m.Handle("POST /api/v1/cases/suggest", authz.CaseRegister, a.wrap(a.suggestHandler))
	m.Handle("GET /api/v1/cases/{caseID}/suggestions", authz.CaseView, a.wrap(a.caseSuggestionsHandler))
	m.Handle("GET /api/v1/cases/{caseID}/related", authz.CaseView, a.wrap(a.relatedHandler))
	m.Handle("GET /api/v1/cases/{caseID}/candidates", authz.CaseAct, a.wrap(a.candidatesHandler))
	m.Handle("POST /api/v1/cases/bulk/dispatch", authz.CaseAct, a.idempotent(a.wrap(a.bulkDispatchHandler)))
	m.Handle("GET /api/v1/places", authz.OrgView, a.wrap(a.placesHandler))
	m.Handle("GET /api/v1/cases/{caseID}/members", authz.CaseView, a.wrap(a.listMembersHandler))
	m.Handle("POST /api/v1/cases/{caseID}/members", authz.CaseAct, a.wrap(a.importMembersHandler))
	m.Handle("POST /api/v1/cases/{caseID}/members/{memberID}/confirm", authz.CaseView, a.wrap(a.confirmMemberHandler))
	m.Handle("POST /api/v1/cases/{caseID}/units", authz.CaseAct, a.wrap(a.addUnitHandler))
	m.Handle("GET /api/v1/stats", authz.CaseView, a.wrap(a.statsHandler))
	m.Handle("GET /api/v1/stats/list", authz.CaseView, a.wrap(a.statsListHandler))
	m.Handle("GET /api/v1/board", authz.CaseView, a.wrap(a.boardHandler))
	m.Handle("GET /api/v1/cases/ledger.xlsx", authz.CaseView, a.wrap(a.listCasesHandler))
	m.Handle("POST /api/v1/exports", authz.PersonalExport, a.wrap(a.listCasesHandler))
	m.Handle("GET /api/v1/exports", authz.CaseView, a.wrap(a.exportsHandler))
	m.Handle("POST /api/v1/exports/{id}/approve", authz.ExportApprove, a.wrap(a.approveExportHandler))
	m.Handle("GET /api/v1/reveal-grants", authz.PersonalReveal, a.wrap(a.revealGrantsHandler))
	m.Handle("POST /api/v1/reveal-grants", authz.PersonalReveal, a.wrap(a.requestRevealGrantHandler))
	m.Handle("POST /api/v1/reveal-grants/{id}/approve", authz.ExportApprove, a.wrap(a.approveRevealGrantHandler))
	m.Handle("GET /api/v1/security/report", authz.SecurityView, a.wrap(a.securityReportHandler))
	m.Handle("POST /api/v1/security/alerts/{id}/handle", authz.SecurityView, a.wrap(a.handleAlertHandler))
	m.Handle("GET /api/v1/reports/monthly", authz.CaseView, a.wrap(a.monthlyReportHandler))
	m.Handle("GET /api/v1/centre", authz.CaseView, a.wrap(a.getCentreHandler))
	m.Handle("POST /api/v1/centre/import", authz.UserManage, a.wrap(a.importCentreHandler))
	m.Handle("POST /api/v1/centre/roster", authz.UserManage, a.wrap(a.rosterHandler))
	m.Handle("POST /api/v1/centre/posts", authz.UserManage, a.wrap(a.postHandler))
	m.Handle("GET /api/v1/assess/rules", authz.UserManage, a.wrap(a.getAssessRulesHandler))
	m.Handle("PUT /api/v1/assess/rules", authz.UserManage, a.wrap(a.putAssessRulesHandler))
	m.Handle("GET /api/v1/cases/{caseID}", authz.CaseView, a.wrap(a.getCaseHandler))
	m.Handle("POST /api/v1/cases/{caseID}/actions/{action}", authz.CaseAct, a.idempotent(a.wrap(a.caseActionHandler)))
	m.Handle("POST /api/v1/cases/{caseID}/parties/{partyID}/reveal", authz.PersonalReveal, a.wrap(a.revealPartyHandler))
	a.registerPrivacy(m)
	m.Handle("/api/", authz.Public, a.wrap(a.notFoundHandler))
	// A path under /api/ that no pattern can read (an encoded slash in its
	// first segment: /api%2F…) is not found as the pages' catch-all says it.
	m.Handle("/", authz.Public, a.wrap(a.unreadablePathHandler))
}

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the embedded OpenAPI document (for tests).
func OpenAPI() []byte { return openAPIDoc }

func (a *API) openAPIHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDoc)
}

func (a *API) notFoundHandler(w http.ResponseWriter, r *http.Request) error {
	return &errNotFoundRoute
}

func (a *API) unreadablePathHandler(w http.ResponseWriter, r *http.Request) error {
	return domain.ErrNotFound
}
