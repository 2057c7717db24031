package domain_test

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"jiefen/internal/domain"
)

// asDomainError asserts err is a *domain.Error and returns it.
func asDomainError(t *testing.T, err error) *domain.Error {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T) is not a *domain.Error", err, err)
	}
	return de
}

func TestCheckPassword(t *testing.T) {
	user := &domain.User{Username: "wangwei", Name: "王伟", Phone: "13912345678"}
	tests := []struct {
		name string
		pw   string
		user *domain.User
		key  string // "" means accepted
	}{
		// Accepted.
		{"four classes", "Tq7#mLw2vX9p", nil, ""},
		{"four classes with user", "Tq7#mLw2vX9p", user, ""},
		{"exactly 10 chars", "Tq7#mLw2vX", nil, ""},
		{"three classes no symbol", "Xk9mPq2wRt", nil, ""},
		{"three classes no digit", "Xk#mPq!wRt", nil, ""},
		{"three classes no upper", "xk9#pq2!rt", nil, ""},
		{"passphrase", "correct-Horse-battery-9", nil, ""},
		{"chinese counts as symbol", "我的密码Abc123xyz", nil, ""},
		{"exactly 128 chars", strings.Repeat("Tq7#mLw2", 16), nil, ""},
		{"short username ignored", "Tq7#mLw2vX9p", &domain.User{Username: "t"}, ""},

		// Length.
		{"empty", "", nil, "password.too_short"},
		{"9 chars", "Tq7#mLw2v", nil, "password.too_short"},
		{"9 runes many bytes", "子洲综治解纷榆林A", nil, "password.too_short"},
		{"129 chars", strings.Repeat("Tq7#mLw2", 16) + "x", nil, "password.too_long"},

		// Encoding and control characters.
		{"invalid utf8", "Tq7#mLw2vX\xff", nil, "password.invalid_utf8"},
		{"newline", "Tq7#mLw2vX\n", nil, "password.control_chars"},
		{"nul", "Tq7#mLw2\x00vX", nil, "password.control_chars"},
		{"tab", "Tq7#m\tLw2vX", nil, "password.control_chars"},

		// Classes.
		{"lower only", "abcdefghijkl", nil, "password.classes"},
		{"upper only", "ABCDEFGHIJKL", nil, "password.classes"},
		{"digits only", "123456789012", nil, "password.classes"},
		{"lower and digits", "xkqmpwrt9271", nil, "password.classes"},
		{"upper and symbol", "XKQM#PWR!TZZ", nil, "password.classes"},
		{"chinese and digits", "张三李四王五12345", nil, "password.classes"},

		// Common passwords, also decorated and in leetspeak.
		{"password plus digits and bang", "Password123!", nil, "password.common"},
		{"leet with year", "P@ssw0rd2024!", nil, "password.common"},
		{"leet 55", "P@55w0rd2024!", nil, "password.common"},
		{"listed as is", "Admin@123456", nil, "password.common"},
		{"welcome@123", "Welcome@123", nil, "password.common"},
		{"qwerty decorated", "Qwerty123456!", nil, "password.common"},
		{"iloveyou decorated", "ILoveYou2024!", nil, "password.common"},
		{"prefix and suffix", "2024#Dragon!!", nil, "password.common"},
		{"qwertyuiop", "Qwertyuiop1!", nil, "password.common"},

		// Local words.
		{"zizhou", "Zizhou#2024x", nil, "password.local_word"},
		{"子洲", "子洲Abc12345", nil, "password.local_word"},
		{"zongzhi", "ZongZhi!2024", nil, "password.local_word"},
		{"jiefen", "Jiefen#2024", nil, "password.local_word"},
		{"综治", "综治Xy12345!", nil, "password.local_word"},
		{"榆林", "榆林Xy12345!", nil, "password.local_word"},
		{"yulin inside", "aB3#yuLIN#xx", nil, "password.local_word"},

		// Personal words.
		{"username", "Wangwei#2024", user, "password.personal"},
		{"name", "王伟Tq7#mLw2", user, "password.personal"},
		{"phone", "Ab!13912345678", user, "password.personal"},
		{"username with spaces and case", "Tq7#LIXIAO#9p", &domain.User{Username: " LiXiao "}, "password.personal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.CheckPassword(tt.pw, tt.user)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("CheckPassword(%q) = %v, want nil", tt.pw, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckPassword(%q) = nil, want %s", tt.pw, tt.key)
			}
			de := asDomainError(t, err)
			if de.Code != domain.Invalid {
				t.Errorf("Code = %q, want %q", de.Code, domain.Invalid)
			}
			if de.Key != tt.key {
				t.Errorf("CheckPassword(%q) Key = %q, want %q", tt.pw, de.Key, tt.key)
			}
			if de.Fields["password"] != tt.key {
				t.Errorf("Fields = %v, want password=%s", de.Fields, tt.key)
			}
		})
	}
}

// The personal words only apply when a user is given.
func TestCheckPasswordPersonalNeedsUser(t *testing.T) {
	if err := domain.CheckPassword("Wangwei#2024", nil); err != nil {
		t.Fatalf("without a user: %v", err)
	}
	if err := domain.CheckPassword("Wangwei#2024", &domain.User{Username: "wangwei"}); err == nil {
		t.Fatal("with the user: accepted a password containing the username")
	}
}

func TestNormalizeMobile(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means rejected
	}{
		{"13912345678", "13912345678"},
		{"+86 139-1234-5678", "13912345678"},
		{"+8613912345678", "13912345678"},
		{"0086 13912345678", "13912345678"},
		{"008613912345678", "13912345678"},
		{"86 139 1234 5678", "13912345678"},
		{"8618612345678", "18612345678"},
		{"139\u00a01234\u00a05678", "13912345678"},
		{"+86\u00a0139\u00a01234\u00a05678", "13912345678"},
		{"139\t1234\t5678", "13912345678"},
		{" 199-9999-0000 ", "19999990000"},

		{"12912345678", ""},     // second digit 2
		{"10912345678", ""},     // second digit 0
		{"1064812345678", ""},   // 13-digit IoT number
		{"0912-1234567", ""},    // landline
		{"", ""},                // empty
		{"1391234567", ""},      // 10 digits
		{"139123456789", ""},    // 12 digits
		{"+86 12912345678", ""}, // prefix, bad number
		{"+1 13912345678", ""},  // foreign prefix
		{"(139)12345678", ""},   // brackets are not separators
		{"139.1234.5678", ""},   // dots are not separators
		{"１３９１２３４５６７８", ""},     // full-width digits
		{"+86", ""},
		{"86139123456", ""},     // "86" + 9 digits is not stripped
		{"1391234567a", ""},     // letter
		{"139\n1234\n5678", ""}, // newline is not a separator
	}
	for _, tt := range tests {
		got, ok := domain.NormalizeMobile(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("NormalizeMobile(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.want != "")
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		fn   func(string) string
		name string
		in   string
		want string
	}{
		{domain.MaskID, "MaskID", "610831199003070024", "610831********0024"},
		{domain.MaskID, "MaskID", "61083119900307002X", "610831********002X"},
		{domain.MaskID, "MaskID", "12345678901", "12*******01"},
		{domain.MaskID, "MaskID", "1234567890", "12******90"},
		{domain.MaskID, "MaskID", "123", "***"},
		{domain.MaskID, "MaskID", "", ""},
		{domain.MaskPhone, "MaskPhone", "13912345678", "139****5678"},
		{domain.MaskPhone, "MaskPhone", "12345678", "123*5678"},
		{domain.MaskPhone, "MaskPhone", "1234567", "*******"},
		{domain.MaskPhone, "MaskPhone", "", ""},
		{domain.MaskName, "MaskName", "张三", "张*"},
		{domain.MaskName, "MaskName", "欧阳娜娜", "欧***"},
		{domain.MaskName, "MaskName", "张", "张"},
		{domain.MaskName, "MaskName", "", ""},
		{domain.MaskName, "MaskName", "Li Lei", "L*****"},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestParseRoles(t *testing.T) {
	tests := []struct {
		in   string
		want []domain.Role
		key  string
	}{
		{"dispatcher", []domain.Role{domain.RoleDispatcher}, ""},
		{"dispatcher,leader", []domain.Role{domain.RoleDispatcher, domain.RoleLeader}, ""},
		{" dispatcher , leader ", []domain.Role{domain.RoleDispatcher, domain.RoleLeader}, ""},
		{"leader,,dispatcher,", []domain.Role{domain.RoleLeader, domain.RoleDispatcher}, ""},
		// Duplicates are folded (not rejected) and the first order is kept.
		{"leader,dispatcher,leader", []domain.Role{domain.RoleLeader, domain.RoleDispatcher}, ""},
		{"grid_worker,citizen", []domain.Role{domain.RoleGridWorker, domain.RoleCitizen}, ""},
		{"", nil, "user.role.required"},
		{" , ,", nil, "user.role.required"},
		{"boss", nil, "user.role.unknown"},
		{"dispatcher,boss", nil, "user.role.unknown"},
		{"Dispatcher", nil, "user.role.unknown"},
		{"dispatcher;leader", nil, "user.role.unknown"},
	}
	for _, tt := range tests {
		got, err := domain.ParseRoles(tt.in)
		if tt.key != "" {
			if err == nil {
				t.Errorf("ParseRoles(%q) = %v, want error %s", tt.in, got, tt.key)
				continue
			}
			de := asDomainError(t, err)
			if de.Code != domain.Invalid || de.Key != tt.key {
				t.Errorf("ParseRoles(%q) error = %v, want invalid %s", tt.in, err, tt.key)
			}
			if got != nil {
				t.Errorf("ParseRoles(%q) returned roles %v with an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRoles(%q) error %v", tt.in, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ParseRoles(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}

	// The unknown role is passed as an argument for the message.
	_, err := domain.ParseRoles("dispatcher,boss")
	if de := asDomainError(t, err); len(de.Args) != 1 || de.Args[0] != "boss" {
		t.Errorf("Args = %v, want [boss]", de.Args)
	}
}

func TestJoinRoles(t *testing.T) {
	if got := domain.JoinRoles(nil); got != "" {
		t.Errorf("JoinRoles(nil) = %q", got)
	}
	if got := domain.JoinRoles([]domain.Role{domain.RoleDispatcher, domain.RoleLeader}); got != "dispatcher,leader" {
		t.Errorf("JoinRoles = %q", got)
	}
	// Round trip over every role.
	s := domain.JoinRoles(domain.AllRoles)
	back, err := domain.ParseRoles(s)
	if err != nil || !slices.Equal(back, domain.AllRoles) {
		t.Errorf("ParseRoles(JoinRoles(AllRoles)) = %v, %v", back, err)
	}
	for _, r := range domain.AllRoles {
		if !r.Valid() {
			t.Errorf("%q is in AllRoles but not Valid", r)
		}
	}
	if domain.Role("root").Valid() {
		t.Error(`Role("root").Valid() = true`)
	}
}

func validUser() *domain.User {
	return &domain.User{
		Username: "  WangWei ",
		Name:     " 王伟 ",
		Phone:    "+86 139-1234-5678",
		Roles:    []domain.Role{domain.RoleDispatcher},
		OrgCode:  "610831001",
		Lang:     "zh-CN",
	}
}

func TestValidateUserNormalizes(t *testing.T) {
	u := validUser()
	if err := domain.ValidateUser(u); err != nil {
		t.Fatalf("ValidateUser: %v", err)
	}
	if u.Username != "wangwei" || u.Name != "王伟" || u.Phone != "13912345678" {
		t.Errorf("not normalized: username %q name %q phone %q", u.Username, u.Name, u.Phone)
	}
	u = validUser()
	u.Phone, u.Lang = "", ""
	if err := domain.ValidateUser(u); err != nil {
		t.Errorf("empty phone and lang: %v", err)
	}
	if u.Phone != "" {
		t.Errorf("empty phone became %q", u.Phone)
	}
}

func TestValidateUser(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(u *domain.User)
		fields map[string]string
	}{
		{"empty username", func(u *domain.User) { u.Username = "  " }, map[string]string{"username": "field.required"}},
		{"username too short", func(u *domain.User) { u.Username = "ab" }, map[string]string{"username": "user.username.invalid"}},
		{"username too long", func(u *domain.User) { u.Username = strings.Repeat("a", 33) }, map[string]string{"username": "user.username.invalid"}},
		{"username with space", func(u *domain.User) { u.Username = "wang wei" }, map[string]string{"username": "user.username.invalid"}},
		{"username leading dot", func(u *domain.User) { u.Username = ".wangwei" }, map[string]string{"username": "user.username.invalid"}},
		{"username chinese", func(u *domain.User) { u.Username = "王伟伟" }, map[string]string{"username": "user.username.invalid"}},
		{"empty name", func(u *domain.User) { u.Name = "" }, map[string]string{"name": "field.required"}},
		{"blank name", func(u *domain.User) { u.Name = " \t " }, map[string]string{"name": "field.required"}},
		{"name too long", func(u *domain.User) { u.Name = strings.Repeat("王", 33) }, map[string]string{"name": "field.too_long"}},
		{"name control chars", func(u *domain.User) { u.Name = "王\n伟" }, map[string]string{"name": "field.control_chars"}},
		{"bad phone", func(u *domain.User) { u.Phone = "12912345678" }, map[string]string{"phone": "phone.invalid"}},
		{"landline", func(u *domain.User) { u.Phone = "0912-1234567" }, map[string]string{"phone": "phone.invalid"}},
		{"no roles", func(u *domain.User) { u.Roles = nil }, map[string]string{"roles": "user.role.required"}},
		{"unknown role", func(u *domain.User) { u.Roles = []domain.Role{domain.RoleLeader, "boss"} }, map[string]string{"roles": "user.role.unknown"}},
		{"empty org", func(u *domain.User) { u.OrgCode = "" }, map[string]string{"org": "org.code.invalid"}},
		{"short org", func(u *domain.User) { u.OrgCode = "61083" }, map[string]string{"org": "org.code.invalid"}},
		{"letters in org", func(u *domain.User) { u.OrgCode = "61083a001" }, map[string]string{"org": "org.code.invalid"}},
		{"bad lang", func(u *domain.User) { u.Lang = "fr" }, map[string]string{"lang": "user.lang.invalid"}},
		{"several", func(u *domain.User) { u.Username, u.Name, u.OrgCode = "x", "", "1" }, map[string]string{
			"username": "user.username.invalid", "name": "field.required", "org": "org.code.invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := validUser()
			tt.mod(u)
			err := domain.ValidateUser(u)
			if err == nil {
				t.Fatal("ValidateUser = nil, want an error")
			}
			de := asDomainError(t, err)
			if de.Code != domain.Invalid || de.Key != "error.invalid" {
				t.Errorf("error = %v, want invalid error.invalid", err)
			}
			if !reflect.DeepEqual(map[string]string(de.Fields), tt.fields) {
				t.Errorf("Fields = %v, want %v", de.Fields, tt.fields)
			}
		})
	}
}

func TestOrgValidate(t *testing.T) {
	good := domain.Org{Code: "610831001", Name: "双湖峪街道", Level: domain.LevelTownship, ParentCode: "610831"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid org: %v", err)
	}
	grid := domain.Org{Code: "610831001001001", Name: "第一网格", Level: domain.LevelGrid, ParentCode: "610831001001"}
	if err := grid.Validate(); err != nil {
		t.Fatalf("valid grid: %v", err)
	}
	tests := []struct {
		name   string
		mod    func(o *domain.Org)
		fields map[string]string
	}{
		{"bad code", func(o *domain.Org) { o.Code = "6108x1001" }, map[string]string{"code": "org.code.invalid"}},
		{"long code", func(o *domain.Org) { o.Code = "6108310010010011" }, map[string]string{"code": "org.code.invalid"}},
		{"empty name", func(o *domain.Org) { o.Name = "  " }, map[string]string{"name": "field.required"}},
		{"long name", func(o *domain.Org) { o.Name = strings.Repeat("村", 65) }, map[string]string{"name": "field.too_long"}},
		{"bad level", func(o *domain.Org) { o.Level = "town" }, map[string]string{"level": "org.level.invalid"}},
		{"empty level", func(o *domain.Org) { o.Level = "" }, map[string]string{"level": "org.level.invalid"}},
		{"bad parent", func(o *domain.Org) { o.ParentCode = "61083" }, map[string]string{"parent_code": "org.code.invalid"}},
	}
	for _, tt := range tests {
		o := good
		tt.mod(&o)
		err := o.Validate()
		if err == nil {
			t.Errorf("%s: Validate = nil", tt.name)
			continue
		}
		de := asDomainError(t, err)
		if de.Code != domain.Invalid || !reflect.DeepEqual(map[string]string(de.Fields), tt.fields) {
			t.Errorf("%s: Validate = %v, want fields %v", tt.name, err, tt.fields)
		}
	}
	o := good
	o.Name = strings.Repeat("村", 64)
	if err := o.Validate(); err != nil {
		t.Errorf("64-rune name: %v", err)
	}
}

func TestOrgContainsAndDepth(t *testing.T) {
	town := domain.Org{Path: "/610831/610831001/"}
	if !town.Contains("/610831/610831001/") || !town.Contains("/610831/610831001/610831001001/") {
		t.Error("Contains rejects itself or a child")
	}
	if town.Contains("/610831/610831002/") || town.Contains("/610831/") {
		t.Error("Contains accepts a sibling or the parent")
	}
	if (domain.Org{}).Contains("/610831/") {
		t.Error("an org without a path contains everything")
	}
	levels := []domain.Level{domain.LevelProvince, domain.LevelCity, domain.LevelCounty, domain.LevelTownship, domain.LevelVillage, domain.LevelGrid}
	for i, l := range levels {
		if l.Depth() != i {
			t.Errorf("%s.Depth() = %d, want %d", l, l.Depth(), i)
		}
	}
	if domain.Level("street").Depth() != -1 {
		t.Error("unknown level has a depth")
	}
}

func TestValidCode(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"610831", true},
		{"610831001", true},
		{"610831001001", true},
		{"610831001001001", true},
		{"6108310010010011", false},
		{"61083", false},
		{"", false},
		{"61083a", false},
		{" 610831", false},
		{"610831 ", false},
		{"-61083", false},
		{"６１０８３１", false},
		{"610831\n", false},
	}
	for _, tt := range tests {
		if got := domain.ValidCode(tt.in); got != tt.want {
			t.Errorf("ValidCode(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCleanLogValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", ""},
		{"王伟 子洲县", "王伟 子洲县"},
		{"a\nb", `a\nb`},
		{"a\rb", `a\rb`},
		{"a\tb", `a\tb`},
		{"admin\r\ntime=2024-01-01 level=INFO msg=login user=root", `admin\r\ntime=2024-01-01 level=INFO msg=login user=root`},
		{"\x00", `\x00`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"del\x7f", `del\x7f`},
		{"张\n三", `张\n三`},
	}
	for _, tt := range tests {
		got := domain.CleanLogValue(tt.in)
		if got != tt.want {
			t.Errorf("CleanLogValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Errorf("CleanLogValue(%q) still holds CR or LF", tt.in)
		}
	}
}

func auditEntry() domain.AuditEntry {
	return domain.AuditEntry{
		Seq:        42,
		At:         time.Date(2024, 3, 7, 9, 30, 15, 123456789, domain.CST),
		UserID:     7,
		Username:   "wangwei",
		Roles:      "dispatcher,leader",
		IP:         "203.0.113.7",
		RequestID:  "0123456789abcdef",
		Action:     "case.assign",
		ObjectType: "case",
		ObjectID:   "1001",
		OrgPath:    "/610831/610831001/",
		Result:     domain.ResultOK,
		Detail:     "分派给调解员 李四",
		PrevHash:   domain.GenesisHash,
	}
}

func TestAuditComputeHash(t *testing.T) {
	e := auditEntry()
	h := e.ComputeHash()
	// Golden value computed independently (sha256 over len:value of each
	// field, time in UTC RFC 3339 nano). A change breaks every stored chain.
	const golden = "add0f94768124233fe048d26c2af0116c09846fbe8a11de9279cdd44cff017fb"
	if h != golden {
		t.Errorf("ComputeHash = %s, want %s", h, golden)
	}
	if e2 := auditEntry(); e2.ComputeHash() != h || e.ComputeHash() != h {
		t.Error("ComputeHash is not stable for equal input")
	}
	// The same instant in another zone hashes the same.
	e3 := auditEntry()
	e3.At = e3.At.UTC()
	if e3.ComputeHash() != h {
		t.Error("ComputeHash depends on the time zone")
	}
	// Hash itself is not an input.
	e4 := auditEntry()
	e4.Hash = "ffff"
	if e4.ComputeHash() != h {
		t.Error("ComputeHash depends on the Hash field")
	}

	mods := auditMods()
	// Every field but Hash must be covered, so a new field is not left out
	// of the hash; KeyID is not in it: entries hashed so have none (it is in
	// SealInput, see TestAuditSealInput).
	typ := reflect.TypeFor[domain.AuditEntry]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if _, ok := mods[name]; !ok && name != "Hash" {
			t.Errorf("field %s has no case in this test", name)
		}
	}
	delete(mods, "KeyID")
	seen := map[string]string{h: "base"}
	for name, mod := range mods {
		e := auditEntry()
		mod(&e)
		got := e.ComputeHash()
		if prev, dup := seen[got]; dup {
			t.Errorf("changing %s gives the same hash as %s", name, prev)
		}
		seen[got] = name
	}

	// Length prefixes keep one field from bleeding into the next.
	a, b := auditEntry(), auditEntry()
	a.Username, a.Roles = "ab", "c"
	b.Username, b.Roles = "a", "bc"
	if a.ComputeHash() == b.ComputeHash() {
		t.Error("moving a byte between Username and Roles does not change the hash")
	}
}

// auditMods changes each field of an audit entry.
func auditMods() map[string]func(e *domain.AuditEntry) {
	return map[string]func(e *domain.AuditEntry){
		"Seq":        func(e *domain.AuditEntry) { e.Seq++ },
		"At":         func(e *domain.AuditEntry) { e.At = e.At.Add(time.Nanosecond) },
		"UserID":     func(e *domain.AuditEntry) { e.UserID = 8 },
		"Username":   func(e *domain.AuditEntry) { e.Username = "wangwe1" },
		"Roles":      func(e *domain.AuditEntry) { e.Roles = "dispatcher" },
		"IP":         func(e *domain.AuditEntry) { e.IP = "203.0.113.8" },
		"RequestID":  func(e *domain.AuditEntry) { e.RequestID = "" },
		"Action":     func(e *domain.AuditEntry) { e.Action = "case.close" },
		"ObjectType": func(e *domain.AuditEntry) { e.ObjectType = "user" },
		"ObjectID":   func(e *domain.AuditEntry) { e.ObjectID = "1002" },
		"OrgPath":    func(e *domain.AuditEntry) { e.OrgPath = "/610831/" },
		"Result":     func(e *domain.AuditEntry) { e.Result = domain.ResultFail },
		"Detail":     func(e *domain.AuditEntry) { e.Detail += " " },
		"PrevHash":   func(e *domain.AuditEntry) { e.PrevHash = strings.Repeat("1", 64) },
		"KeyID":      func(e *domain.AuditEntry) { e.KeyID = "a2" },
	}
}

// SealInput, which the audit key seals, covers every field but Hash,
// KeyID included, and is not the unkeyed hash's input.
func TestAuditSealInput(t *testing.T) {
	base := auditEntry()
	base.KeyID = "a1"
	in := string(base.SealInput())
	if !strings.HasPrefix(in, "jiefen audit entry\n") || strings.Contains(in, base.ComputeHash()) {
		t.Fatalf("seal input %q", in)
	}
	seen := map[string]string{in: "base"}
	for name, mod := range auditMods() {
		e := base
		mod(&e)
		got := string(e.SealInput())
		if prev, dup := seen[got]; dup {
			t.Errorf("changing %s gives the same seal input as %s", name, prev)
		}
		seen[got] = name
	}
	a := domain.AuditAnchor{Seq: 9, Hash: "h", KeyID: "a1", At: base.At, By: "host:1", Prev: "p", MACKey: "a1"}
	b := a
	b.Prev = ""
	if string(a.SealInput()) == string(b.SealInput()) {
		t.Error("an anchor's seal does not cover the line before it")
	}
}

// FuzzCheckPassword checks CheckPassword never panics, always speaks
// *domain.Error, and accepts only passwords that meet the visible rules.
func FuzzCheckPassword(f *testing.F) {
	f.Add("Tq7#mLw2vX9p", "wangwei", "王伟", "13912345678")
	f.Add("P@ssw0rd2024!", "", "", "")
	f.Add("子洲Abc12345", "admin", "管理员", "")
	f.Add("Wangwei#2024", "wangwei", "", "")
	f.Add("short", "a", "b", "c")
	f.Add("Tq7#mLw2vX\xff", "", "", "")
	f.Add(strings.Repeat("Tq7#mLw2", 17), "", "", "")
	f.Fuzz(func(t *testing.T, pw, username, name, phone string) {
		u := &domain.User{Username: username, Name: name, Phone: phone}
		err := domain.CheckPassword(pw, u)
		errNoUser := domain.CheckPassword(pw, nil)
		for _, err := range []error{err, errNoUser} {
			if err == nil {
				continue
			}
			de, ok := err.(*domain.Error)
			if !ok {
				t.Fatalf("error %v is %T, not *domain.Error", err, err)
			}
			if de.Code != domain.Invalid || !strings.HasPrefix(de.Key, "password.") || de.Fields["password"] != de.Key {
				t.Fatalf("bad error %+v", de)
			}
		}
		// The user only adds rules.
		if err == nil && errNoUser != nil {
			t.Fatalf("accepted with a user but refused without: %v", errNoUser)
		}
		if errNoUser != nil {
			return
		}
		if !utf8.ValidString(pw) {
			t.Fatal("accepted invalid UTF-8")
		}
		if n := utf8.RuneCountInString(pw); n < domain.PasswordMinLen || n > domain.PasswordMaxLen {
			t.Fatalf("accepted a password of %d runes", n)
		}
		if strings.ContainsFunc(pw, unicode.IsControl) {
			t.Fatal("accepted control characters")
		}
		low := strings.ToLower(pw)
		// Local words are refused anywhere in the password (common
		// passwords only whole or with digits and symbols on the ends).
		for _, w := range []string{"zizhou", "子洲", "jiefen", "综治"} {
			if strings.Contains(low, w) {
				t.Fatalf("accepted a password containing %q", w)
			}
		}
		if err == nil {
			w := strings.ToLower(strings.TrimSpace(username))
			if utf8.RuneCountInString(w) >= 2 && strings.Contains(low, w) {
				t.Fatalf("accepted a password containing the username %q", username)
			}
		}
	})
}

// FuzzNormalizeMobile checks a normalized number is an 11-digit mainland
// mobile and is what is left of the input after separators and prefix.
func FuzzNormalizeMobile(f *testing.F) {
	for _, s := range []string{"13912345678", "+86 139-1234-5678", "0086 13912345678", "12912345678",
		"1064812345678", "0912-1234567", "139\u00a01234\u00a05678", "86", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := domain.NormalizeMobile(s)
		if !ok {
			if got != "" {
				t.Fatalf("NormalizeMobile(%q) = %q, false", s, got)
			}
			return
		}
		if len(got) != 11 || got[0] != '1' || got[1] < '3' || got[1] > '9' {
			t.Fatalf("NormalizeMobile(%q) = %q, not a mobile", s, got)
		}
		for i := 0; i < len(got); i++ {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("NormalizeMobile(%q) = %q holds a non-digit", s, got)
			}
		}
		again, ok2 := domain.NormalizeMobile(got)
		if !ok2 || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, got, again, ok2)
		}
		bare := strings.NewReplacer(" ", "", "-", "", "\u00a0", "", "\t", "").Replace(s)
		if bare != got && bare != "+86"+got && bare != "0086"+got && bare != "86"+got {
			t.Fatalf("NormalizeMobile(%q) = %q, which is not the input less separators and prefix (%q)", s, got, bare)
		}
	})
}

// FuzzCleanLogValue checks no control character survives and clean input is
// returned unchanged.
func FuzzCleanLogValue(f *testing.F) {
	f.Add("plain")
	f.Add("a\r\nb")
	f.Add("\x00\x1b\x7f")
	f.Add("张\n三")
	f.Fuzz(func(t *testing.T, s string) {
		got := domain.CleanLogValue(s)
		for i := 0; i < len(got); i++ {
			if got[i] < 0x20 || got[i] == 0x7f {
				t.Fatalf("CleanLogValue(%q) = %q keeps byte %#x", s, got, got[i])
			}
		}
		if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) && got != s {
			t.Fatalf("CleanLogValue changed clean input %q to %q", s, got)
		}
	})
}

func TestWorkflowDocInStep(t *testing.T) {
	b, err := os.ReadFile("../../docs/WORKFLOW.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != domain.WorkflowMarkdown() {
		t.Fatal("docs/WORKFLOW.md is stale: run go run ./cmd/jiefen workflow > docs/WORKFLOW.md")
	}
}

func TestIdentifyingSearch(t *testing.T) {
	for s, want := range map[string]bool{
		"610831199003070024": true, "610831 19900307 0024": true, "61083119900307002x": true, "610831199003070025": true, // a wrong check digit too
		"610831900307002": true, "13912345678": true, "139-1234-5678": true, "0912-5221234": true,
		"张建军": false, "土地纠纷": false, "ZZ2026000123": false, "2026": false, "": false,
	} {
		if got := domain.IdentifyingSearch(s); got != want {
			t.Errorf("IdentifyingSearch(%q) = %v, want %v", s, got, want)
		}
	}
}
