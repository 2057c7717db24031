package domain

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is a named person's account. Accounts are never shared and never
// deleted: they are disabled.
type User struct {
	ID                int64
	Username          string
	Name              string
	Phone             string // 11 digits or empty
	Roles             []Role
	OrgCode           string
	OrgPath           string
	OrgName           string
	Lang              string
	OverdueNotices    string // NoticeDigest (default) or NoticeEach
	Disabled          bool
	MustChangePwd     bool
	PasswordChangedAt time.Time
	LockedUntil       time.Time
	CreatedAt         time.Time
	// CreatedBy and ChangedBy are the accounts that created the account and
	// last changed its roles, place or state (0: the command line). The
	// four-eyes rule reads them: an approver may not be an account its
	// requester made or changed.
	CreatedBy, ChangedBy int64
	Version              int64
	SecondFactor         string // FactorNone, FactorTOTP or FactorReset
}

// Has reports whether the user holds role r.
func (u *User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

// NormalizeUsername lower-cases and trims a login ID; login IDs are unique
// case-insensitively (IA-1).
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateUser checks the fields an administrator enters.
func ValidateUser(u *User) error {
	f := FieldErrors{}
	u.Username = NormalizeUsername(u.Username)
	if u.Username == "" {
		f.Add("username", "field.required")
	} else if !usernameRE.MatchString(u.Username) {
		f.Add("username", "user.username.invalid")
	}
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" {
		f.Add("name", "field.required")
	} else if !utf8.ValidString(u.Name) || utf8.RuneCountInString(u.Name) > 32 {
		f.Add("name", "field.too_long")
	} else if strings.ContainsFunc(u.Name, unicode.IsControl) {
		f.Add("name", "field.control_chars")
	}
	if u.Phone != "" {
		p, ok := NormalizeMobile(u.Phone)
		if !ok {
			f.Add("phone", "phone.invalid")
		}
		u.Phone = p
	}
	if len(u.Roles) == 0 {
		f.Add("roles", "user.role.required")
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			f.Add("roles", "user.role.unknown")
		}
	}
	if !ValidCode(u.OrgCode) {
		f.Add("org", "org.code.invalid")
	}
	if u.Lang != "" && u.Lang != "zh-CN" && u.Lang != "en" {
		f.Add("lang", "user.lang.invalid")
	}
	return f.Err()
}

var mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

// NormalizeMobile strips separators and a +86/0086/86 prefix and checks the
// 11-digit mainland mobile shape (identity-rules.md §2).
func NormalizeMobile(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\t':
		default:
			b.WriteRune(r)
		}
	}
	p := b.String()
	for _, pre := range []string{"+86", "0086", "86"} {
		if strings.HasPrefix(p, pre) && len(p)-len(pre) == 11 {
			p = p[len(pre):]
			break
		}
	}
	if !mobileRE.MatchString(p) {
		return "", false
	}
	return p, true
}

// OrgPathOrEmpty returns the user's jurisdiction path, "" for a nil user.
func (u *User) OrgPathOrEmpty() string {
	if u == nil {
		return ""
	}
	return u.OrgPath
}

// Assignable is an account a person-choosing action (交办, 转办, 协办,
// 牵头领导, 网格包联) may name on a matter, as a picker shows it: who they
// are, where, and how much they already have in hand.
type Assignable struct {
	ID                 int64
	Username, Name     string
	Role               Role // the role the action wants them in
	OrgCode, OrgName   string
	OrgPath            string
	UnitID             int64
	UnitCode, UnitName string // the unit they belong to (0, "" none)
	// Load is what they already carry for this kind of action: open
	// matters in their hands (交办, 转办, 协办), open matters they lead
	// (牵头领导), matters they watch (网格包联). CoLoad is the open matters
	// they work a part of as a co-handler.
	Load, CoLoad int
	Suggested    bool // the assessment's routing points at them
}
