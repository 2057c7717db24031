package domain

import "time"

// The states of an account's second factor (User.SecondFactor).
const (
	FactorNone  = ""      // none enrolled
	FactorTOTP  = "totp"  // a TOTP authenticator is enrolled
	FactorReset = "reset" // an administrator reset it: enrol again at the next sign-in
)

// TOTPFactor is an account's TOTP authenticator (RFC 6238). The seed is
// sealed with the keyring (SecretKid names the key); LastStep is the last
// 30-second step whose code was accepted, so a code works once (IA-7);
// Nonce binds the trusted browsers' cookies, which a new nonce revokes. A
// new enrolment waits in Pending* until its first code confirms it.
type TOTPFactor struct {
	UserID        int64
	SecretKid     string
	Secret        string
	LastStep      int64
	ConfirmedAt   time.Time
	Nonce         string
	PendingKid    string
	PendingSecret string
	PendingAt     time.Time
}

// LoginChallenge is a sign-in whose password was right and whose second
// step is still to come: it gives no rights, only the second-step page.
// Only the hash of the browser's cookie is stored.
type LoginChallenge struct {
	ID        int64
	TokenHash string
	UserID    int64
	IP        string
	UserAgent string
	CreatedAt time.Time
	ExpiresAt time.Time
}
