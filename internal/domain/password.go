package domain

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password policy (SECURITY.md IA-2): at least 10 characters and at most 128,
// at least three of upper case, lower case, digits and symbols, not a common
// password, and not containing the login ID, the name, the phone number or
// local words. 等保 requires complexity; ASVS 5 discourages it. The 等保
// assessment is the legal one, so complexity is enforced (a recorded deviation).
const (
	PasswordMinLen = 10
	PasswordMaxLen = 128
)

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for l := range strings.SplitSeq(commonPasswordsText, "\n") {
		if l = strings.TrimSpace(strings.ToLower(l)); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

// localWords are place and system words a password may not contain.
var localWords = []string{"子洲", "zizhou", "zongzhi", "jiefen", "综治", "解纷", "yulin", "榆林"}

// CheckPassword returns nil or an Invalid error whose Key names the first
// rule broken. u supplies the personal words to refuse (may be nil).
func CheckPassword(pw string, u *User) error {
	bad := func(key string) error {
		return &Error{Code: Invalid, Key: key, Fields: map[string]string{"password": key}}
	}
	if !utf8.ValidString(pw) {
		return bad("password.invalid_utf8")
	}
	n := utf8.RuneCountInString(pw)
	if n < PasswordMinLen {
		return bad("password.too_short")
	}
	if n > PasswordMaxLen {
		return bad("password.too_long")
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsControl(r):
			return bad("password.control_chars")
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return bad("password.classes")
	}
	low := strings.ToLower(pw)
	if isCommon(low) {
		return bad("password.common")
	}
	for _, w := range localWords {
		if strings.Contains(low, w) {
			return bad("password.local_word")
		}
	}
	if u != nil {
		for _, w := range []string{u.Username, u.Name, u.Phone} {
			w = strings.ToLower(strings.TrimSpace(w))
			if utf8.RuneCountInString(w) >= 2 && strings.Contains(low, w) {
				return bad("password.personal")
			}
		}
	}
	return nil
}

var leet = strings.NewReplacer("@", "a", "0", "o", "1", "i", "3", "e", "$", "s", "5", "s", "!", "i")

// isCommon refuses a listed password, also with digits or symbols stuck on
// either end or written in leetspeak (P@ssw0rd2024!).
func isCommon(low string) bool {
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	for _, c := range []string{low, leet.Replace(low)} {
		if commonPasswords[c] || commonPasswords[strings.TrimFunc(c, notLetter)] {
			return true
		}
	}
	core := strings.TrimFunc(low, func(r rune) bool { return !unicode.IsLetter(r) })
	return len(core) >= 4 && commonPasswords[leet.Replace(core)]
}
