package web

import (
	"net/http"

	"jiefen/internal/authz"
	"jiefen/internal/httpx"
)

// h adapts a handler that returns an error; the error is rendered once here.
type h func(w http.ResponseWriter, r *http.Request) error

func (s *Server) wrapH(fn h) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// routes lists every HTML route with its permission (the root adds the
// operations endpoints with Handle).
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /static/{sum}/{name}", authz.Public, http.HandlerFunc(s.static.serve))

	m.Handle("GET /track", authz.Public, s.wrapH(s.showTrackPage))
	m.Handle("POST /track", authz.Public, s.wrapH(s.track))
	m.Handle("GET /login", authz.Public, s.wrapH(s.showLoginPage))
	m.Handle("POST /login", authz.Public, s.wrapH(s.login))
	s.secondFactorRoutes(m)
	m.Handle("POST /logout", authz.Authenticated, s.wrapH(s.logout))
	m.Handle("GET /account/password", authz.Authenticated, s.wrapH(s.showPasswordPage))
	m.Handle("POST /account/password", authz.Authenticated, s.wrapH(s.changePassword))

	m.Handle("GET /{$}", authz.Authenticated, s.wrapH(s.showHomePage))
	m.Handle("GET /account", authz.Authenticated, s.wrapH(s.showAccountPage))
	m.Handle("POST /account/lang", authz.Authenticated, s.wrapH(s.updateLang))
	m.Handle("POST /account/notices", authz.Authenticated, s.wrapH(s.updateNotices))
	m.Handle("POST /account/tokens", authz.Authenticated, s.wrapH(s.saveToken))
	m.Handle("POST /account/tokens/{tokenID}/revoke", authz.Authenticated, s.wrapH(s.revokeToken))

	m.Handle("GET /cases", authz.CaseView, s.wrapH(s.showCasesPage))
	m.Handle("POST /cases/filter", authz.CaseView, s.wrapH(s.filterCases))
	m.Handle("GET /cases/new", authz.CaseRegister, s.wrapH(s.showCaseNewPage))
	m.Handle("POST /cases", authz.CaseRegister, s.wrapH(s.saveCase))
	m.Handle("GET /cases/{caseID}", authz.CaseView, s.wrapH(s.showCasePage))
	m.Handle("POST /cases/{caseID}/actions/{action}", authz.CaseAct, s.wrapH(s.saveCaseAction))
	m.Handle("POST /cases/bulk/dispatch", authz.CaseAct, s.wrapH(s.saveBulkDispatch))
	m.Handle("POST /cases/{caseID}/attachments", authz.CaseAct, s.wrapH(s.saveAttachment))
	m.Handle("GET /cases/{caseID}/attachments/{attID}", authz.CaseView, s.wrapH(s.downloadAttachment))
	m.Handle("POST /cases/{caseID}/parties/{partyID}/reveal", authz.PersonalReveal, s.wrapH(s.revealParty))
	m.Handle("GET /cases/{caseID}/members", authz.CaseView, s.wrapH(s.showMembersPage))
	s.printRoutes(m)
	m.Handle("POST /cases/{caseID}/members", authz.CaseAct, s.wrapH(s.importMembers))
	m.Handle("POST /cases/{caseID}/members/{memberID}/confirm", authz.CaseView, s.wrapH(s.confirmMember))
	m.Handle("POST /cases/{caseID}/units", authz.CaseAct, s.wrapH(s.saveCoUnit))

	m.Handle("GET /inbox", authz.Authenticated, s.wrapH(s.showInboxPage))
	m.Handle("GET /events", authz.Authenticated, s.wrapH(s.streamEvents))
	m.Handle("POST /inbox/read", authz.Authenticated, s.wrapH(s.markInboxRead))

	m.Handle("GET /stats", authz.CaseView, s.wrapH(s.showStatsPage))
	m.Handle("GET /board", authz.CaseView, s.wrapH(s.showBoard))
	m.Handle("GET /cases/export.xlsx", authz.CaseView, s.wrapH(s.exportLedger))
	m.Handle("POST /cases/export.xlsx", authz.PersonalExport, s.wrapH(s.exportLedger))
	s.approvalRoutes(m)
	m.Handle("GET /reports/monthly", authz.CaseView, s.wrapH(s.showMonthlyReport))
	m.Handle("GET /reports/monthly.xlsx", authz.CaseView, s.wrapH(s.showMonthlyReport))
	m.Handle("GET /dashboard", authz.CaseView, s.wrapH(s.showDashboard))
	m.Handle("GET /stats/list", authz.CaseView, s.wrapH(s.showStatsList))
	s.centreRoutes(m)
	m.Handle("GET /orgs", authz.OrgView, s.wrapH(s.showOrgsPage))
	m.Handle("POST /orgs/{code}/grids", authz.OrgCreate, s.wrapH(s.saveGridCell))

	m.Handle("GET /admin/users", authz.UserView, s.wrapH(s.showUsersPage))
	m.Handle("GET /admin/users/new", authz.UserManage, s.wrapH(s.showUserNewPage))
	m.Handle("POST /admin/users", authz.UserManage, s.wrapH(s.saveUser))
	m.Handle("GET /admin/users/{userID}", authz.UserView, s.wrapH(s.showUserEditPage))
	m.Handle("POST /admin/users/{userID}", authz.UserManage, s.wrapH(s.updateUser))
	m.Handle("POST /admin/users/{userID}/reset-password", authz.UserManage, s.wrapH(s.resetUserPassword))
	m.Handle("POST /admin/users/{userID}/unlock", authz.UserManage, s.wrapH(s.unlockUser))
	m.Handle("POST /admin/users/{userID}/reset-2fa", authz.UserManage, s.wrapH(s.resetUserTwoFactor))
	m.Handle("POST /admin/users/{userID}/unit", authz.UserManage, s.wrapH(s.saveUserUnit))
	m.Handle("POST /admin/users/{userID}/end-sessions", authz.UserManage, s.wrapH(s.endUserSessions))
	m.Handle("POST /admin/sessions/end-all", authz.UserManage, s.wrapH(s.endAllSessions))
	m.Handle("GET /admin/tokens", authz.UserView, s.wrapH(s.showAdminTokensPage))
	m.Handle("POST /admin/tokens/{tokenID}/revoke", authz.UserManage, s.wrapH(s.adminRevokeToken))

	m.Handle("GET /admin/audit", authz.AuditView, s.wrapH(s.showAuditPage))
	m.Handle("GET /admin/audit/export.csv", authz.AuditView, s.wrapH(s.exportAudit))
	m.Handle("GET /admin/security", authz.SecurityView, s.wrapH(s.showSecurityPage))
	m.Handle("POST /admin/security/alerts/{id}/handle", authz.SecurityView, s.wrapH(s.handleAlert))
	s.privacyRoutes(m)
	m.Handle("GET /admin/rules", authz.UserManage, s.wrapH(s.showRulesPage))
	m.Handle("POST /admin/rules", authz.UserManage, s.wrapH(s.saveRules))

	// Anything else is a 404 page (and declares it is public to say so).
	m.Handle("/", authz.Public, s.wrapH(s.notFound))
}

// secondFactorRoutes are the sign-in's second step and the account's
// second factor (the administrator's reset is with the accounts).
func (s *Server) secondFactorRoutes(m *httpx.Mux) {
	m.Handle("GET /login/2fa", authz.Public, s.wrapH(s.showSecondStepPage))
	m.Handle("POST /login/2fa", authz.Public, s.wrapH(s.verifySecondStep))
	m.Handle("GET /account/2fa", authz.Authenticated, s.wrapH(s.showTwoFactorPage))
	m.Handle("POST /account/2fa/start", authz.Authenticated, s.wrapH(s.startTwoFactor))
	m.Handle("POST /account/2fa/confirm", authz.Authenticated, s.wrapH(s.confirmTwoFactor))
	m.Handle("POST /account/2fa/disable", authz.Authenticated, s.wrapH(s.disableTwoFactor))
}

// approvalRoutes are the approvals of personal data: export requests and
// requests for more full views today.
func (s *Server) approvalRoutes(m *httpx.Mux) {
	m.Handle("GET /exports", authz.CaseView, s.wrapH(s.showExports))
	m.Handle("POST /exports/{id}/approve", authz.ExportApprove, s.wrapH(s.approveExport))
	m.Handle("POST /exports/{id}/ledger.xlsx", authz.PersonalExport, s.wrapH(s.downloadExport)) // once: a POST (SS-6)
	m.Handle("POST /reveal-grants", authz.PersonalReveal, s.wrapH(s.requestRevealGrant))
	m.Handle("POST /reveal-grants/{id}/approve", authz.ExportApprove, s.wrapH(s.approveRevealGrant))
}

// centreRoutes are the centre's registries: roster, posts, windows, zones,
// mediation organisations, units and mediators.
func (s *Server) centreRoutes(m *httpx.Mux) {
	m.Handle("GET /centre", authz.CaseView, s.wrapH(s.showCentrePage))
	m.Handle("POST /centre/roster", authz.UserManage, s.wrapH(s.saveRosterDay))
	m.Handle("POST /centre/posts", authz.UserManage, s.wrapH(s.savePost))
	m.Handle("POST /centre/windows/{code}", authz.UserManage, s.wrapH(s.saveWindow))
	m.Handle("POST /centre/zones/{code}", authz.UserManage, s.wrapH(s.saveZone))
	m.Handle("GET /centre/orgs/{code}", authz.UserManage, s.wrapH(s.showOrgPage))
	m.Handle("POST /centre/orgs/{code}", authz.UserManage, s.wrapH(s.saveOrg))
	m.Handle("GET /centre/units/{code}", authz.UserManage, s.wrapH(s.showUnitPage))
	m.Handle("POST /centre/units/{code}", authz.UserManage, s.wrapH(s.saveUnit))
	m.Handle("GET /centre/mediators/{id}", authz.UserManage, s.wrapH(s.showMediatorPage))
	m.Handle("POST /centre/mediators/{id}", authz.UserManage, s.wrapH(s.saveMediator))
}
