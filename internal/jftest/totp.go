package jftest

import (
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"jiefen/internal/domain"
	"jiefen/internal/service"
)

// TOTPCode is what an authenticator app shows for secret at time at.
func TOTPCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatalf("totp code: %v", err)
	}
	return c
}

// EnrolTOTP enrols an authenticator for u as u would on the account page
// (with its password, at the store's time) and returns its seed and
// recovery codes. The code it confirms with is used up: the next sign-in
// needs a code of a later 30-second step.
func EnrolTOTP(t testing.TB, svc *service.Service, u *domain.User) (secret string, recovery []string) {
	t.Helper()
	ctx := As(u, "192.0.2.1")
	if err := svc.StartTOTP(ctx, Password); err != nil {
		t.Fatalf("start totp for %s: %v", u.Username, err)
	}
	st, err := svc.TOTPStatus(ctx)
	if err != nil || st.Pending == nil {
		t.Fatalf("totp status of %s: %+v, %v", u.Username, st, err)
	}
	done, err := svc.ConfirmTOTP(ctx, TOTPCode(t, st.Pending.Secret, svc.Store().Now()))
	if err != nil {
		t.Fatalf("confirm totp for %s: %v", u.Username, err)
	}
	return st.Pending.Secret, done.RecoveryCodes
}
