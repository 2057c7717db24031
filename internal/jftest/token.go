package jftest

import (
	"testing"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
)

// Token makes an API token for username as the operator and returns its
// secret: with the scopes given, or every scope of use to the account.
func Token(t testing.TB, svc *service.Service, username string, scopes ...domain.Scope) string {
	t.Helper()
	if len(scopes) == 0 {
		u, err := svc.UserByUsername(CLI(), username)
		if err != nil {
			t.Fatalf("token for %s: %v", username, err)
		}
		scopes = authz.UsableScopes(u)
	}
	secret, _, err := svc.CreateToken(CLI(), identity.TokenRequest{Username: username, Name: "test", Scopes: scopes})
	if err != nil {
		t.Fatalf("token for %s: %v", username, err)
	}
	return secret
}
