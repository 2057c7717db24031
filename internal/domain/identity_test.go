package domain_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
)

// errKey returns the key of a *domain.Error with Code Invalid, "" for nil,
// and fails the test for any other error.
func errKey(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T) is not a *domain.Error", err, err)
	}
	if de.Code != domain.Invalid {
		t.Fatalf("error %v has code %q, want %q", err, de.Code, domain.Invalid)
	}
	return de.Key
}

// mod112 is the ISO 7064 recursive form, written independently of the
// weighted sum in identity.go: the number is valid iff p ends at 1.
func mod112(s string) bool {
	p := 0
	for i := 0; i < len(s); i++ {
		v := int(s[i] - '0')
		if s[i] == 'X' {
			v = 10
		}
		p = (2*p + v) % 11
	}
	return p == 1
}

func TestNormalizeIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002x", "11010519491231002X"},
		{"  610831199003070024\t", "610831199003070024"},
		{"\u3000610831199003070024\u00a0", "610831199003070024"},
		{"11010519491231002X", "11010519491231002X"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := domain.NormalizeIDNumber(tt.in); got != tt.want {
			t.Errorf("NormalizeIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckResidentID(t *testing.T) {
	today := time.Date(2026, 6, 1, 10, 0, 0, 0, domain.CST)
	tests := []struct {
		name string
		id   string
		key  string // "" means valid
	}{
		// Verified examples from identity-rules.md.
		{"standard example A, Beijing, 1949", "11010519491231002X", ""},
		{"standard example, Shantou, born 1880", "440524188001010014", ""},
		{"Zizhou female 1990", "610831199003070024", ""},
		{"Zizhou female 2012", "610831201206150032", ""},
		{"lowercase x", "11010519491231002x", ""},
		{"surrounding spaces", " 610831199003070024 ", ""},
		{"Hong Kong residence permit", "810000199003070023", ""},
		{"Macao residence permit", "820000199003070017", ""},
		{"Taiwan residence permit", "830000199003070035", ""},
		{"born 1850-01-01, the lower bound", "610831185001010012", ""},
		{"born 29 Feb 2000", "610831200002290020", ""},
		{"born today", "610831202606010017", ""},

		{"empty", "", "id.shape"},
		{"17 digits", "61083119900307002", "id.shape"},
		{"19 digits", "6108311990030700244", "id.shape"},
		{"letter check other than X", "61083119900307002A", "id.shape"},
		{"X not last", "X10831199003070024", "id.shape"},
		{"inner space", "610831 199003070024", "id.shape"},
		{"full-width digits", "６１０８３１１９９００３０７００２４", "id.shape"},
		{"15-digit old number", "610831900307002", "id.shape"},

		{"province 99 (right check)", "990000199003070021", "id.region"},
		{"province 00", "000000199003070024", "id.region"},
		{"province 16", "160000199003070024", "id.region"},
		{"province 84", "840000199003070024", "id.region"},
		{"foreign permanent residence, 2023 edition", "910000199003070024", "id.region"},

		{"30 February", "610831199002300024", "id.birth"},
		{"29 Feb 1900, not a leap year", "610831190002290024", "id.birth"},
		{"month 13", "610831199013070024", "id.birth"},
		{"day 00", "610831199003000024", "id.birth"},
		{"born 1849-12-31", "610831184912310011", "id.birth"},
		{"born tomorrow", "610831202606020012", "id.birth"},

		{"wrong check", "110105194912310021", "id.check"},
		{"check X where 4 is due", "61083119900307002X", "id.check"},
		{"transposed digits", "610831199003070204", "id.check"},

		// The first rule broken wins.
		{"bad region and bad check", "990000199003070020", "id.region"},
		{"bad birth and bad check", "610831199002300029", "id.birth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errKey(t, domain.CheckResidentID(tt.id, today)); got != tt.key {
				t.Errorf("CheckResidentID(%q) key = %q, want %q", tt.id, got, tt.key)
			}
		})
	}
}

func TestCheckResidentIDTodayIsCSTDate(t *testing.T) {
	// 20:00 UTC on 1 June is 04:00 on 2 June in China, so a birth date of
	// 2 June is not in the future.
	today := time.Date(2026, 6, 1, 20, 0, 0, 0, time.UTC)
	if err := domain.CheckResidentID("610831202606020012", today); err != nil {
		t.Errorf("born on today's CST date: %v", err)
	}
	today = time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC) // 23:00 CST, 1 June
	if got := errKey(t, domain.CheckResidentID("610831202606020012", today)); got != "id.birth" {
		t.Errorf("born the next CST day: key %q, want id.birth", got)
	}
}

func TestIDCheckAgreesWithRecursiveForm(t *testing.T) {
	// Every one of the 11 possible check characters is accepted exactly when
	// the recursive MOD 11-2 form is satisfied.
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, domain.CST)
	for _, body := range []string{"11010519491231002", "44052418800101001", "61083119900307002", "61083120120615003", "82000019900307001"} {
		valid := 0
		for _, c := range "0123456789X" {
			id := body + string(c)
			err := domain.CheckResidentID(id, today)
			if (err == nil) != mod112(id) {
				t.Errorf("%s: CheckResidentID = %v, recursive form says %v", id, err, mod112(id))
			}
			if err == nil {
				valid++
			} else if k := errKey(t, err); k != "id.check" {
				t.Errorf("%s: key %q, want id.check", id, k)
			}
		}
		if valid != 1 {
			t.Errorf("%s?: %d check characters accepted, want 1", body, valid)
		}
	}
}

func TestIDBirthAndSex(t *testing.T) {
	tests := []struct {
		id    string
		birth string
		male  bool
		ok    bool
	}{
		{"11010519491231002X", "1949-12-31", false, true},
		{"11010519491231002x", "1949-12-31", false, true},
		{"440524188001010014", "1880-01-01", true, true},
		{"610831199003070024", "1990-03-07", false, true},
		{"610831201206150032", "2012-06-15", true, true}, // 17th char 3: male (identity-rules.md says F)
		{"610831199003070016", "1990-03-07", true, true},
		{"110105194912310021", "", false, false}, // wrong check
		{"610831199002300024", "", false, false}, // 30 Feb
		{"610831900307002", "", false, false},    // 15 digits
		{"610831209901010011", "", false, false}, // born in 2099
		{"", "", false, false},
	}
	for _, tt := range tests {
		birth, male, ok := domain.IDBirthAndSex(tt.id)
		if ok != tt.ok {
			t.Errorf("IDBirthAndSex(%q) ok = %v, want %v", tt.id, ok, tt.ok)
			continue
		}
		if !ok {
			if !birth.IsZero() || male {
				t.Errorf("IDBirthAndSex(%q) = %v, %v, false; want zero values", tt.id, birth, male)
			}
			continue
		}
		want, _ := time.ParseInLocation(time.DateOnly, tt.birth, domain.CST)
		if !birth.Equal(want) || birth.Location() != domain.CST {
			t.Errorf("IDBirthAndSex(%q) birth = %v, want %v", tt.id, birth, want)
		}
		if male != tt.male {
			t.Errorf("IDBirthAndSex(%q) male = %v, want %v", tt.id, male, tt.male)
		}
	}
}

func TestUpgradeID15(t *testing.T) {
	tests := []struct{ in, want, key string }{
		{"610831900307002", "610831199003070024", ""}, // verified
		{" 110105491231002 ", "11010519491231002X", ""},
		{"440524800101001", "440524198001010013", ""},
		{"61083190030700", "", "id.shape"},
		{"610831199003070024", "", "id.shape"},
		{"61083190030700X", "", "id.shape"},
		{"990000900307002", "", "id.region"},
		{"610831900230002", "", "id.birth"},
		{"610831001301002", "", "id.birth"},
	}
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, domain.CST)
	for _, tt := range tests {
		got, err := domain.UpgradeID15(tt.in)
		if key := errKey(t, err); key != tt.key || got != tt.want {
			t.Errorf("UpgradeID15(%q) = %q, key %q; want %q, key %q", tt.in, got, key, tt.want, tt.key)
		}
		if err == nil {
			if err := domain.CheckResidentID(got, today); err != nil {
				t.Errorf("UpgradeID15(%q) = %q, which CheckResidentID rejects: %v", tt.in, got, err)
			}
		}
	}
}

// usccValid is an independent reading of GB 32100: C18 = (31 − S mod 31) mod 31.
func usccValid(s string) bool {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if len(s) != 18 {
		return false
	}
	w, sum := 1, 0
	for i := range 17 {
		sum += strings.IndexByte(alphabet, s[i]) * w
		w = w * 3 % 31
	}
	return alphabet[(31-sum%31)%31] == s[17]
}

func TestCheckUSCC(t *testing.T) {
	tests := []struct {
		name    string
		code    string
		key     string
		warning string
	}{
		// Verified examples from identity-rules.md.
		{"standard example", "91350100M000100Y43", "", ""},
		{"published company 1", "914403001922038216", "", ""},
		{"published company 2", "91440300708461136T", "", ""},
		{"published company 3", "91330100716105852F", "", ""},
		{"lowercase and spaces", " 91350100m000100y43 ", "", ""},
		{"org code check X", "9161083100000006X6", "", ""},
		{"org code check 0", "916108310000001905", "", ""},
		{"outer check 0", "926108310000000190", "", ""},

		{"org code check fails, outer passes", "91350100M000100Y56", "", "uscc.org_code_check"},
		{"org code check Y is never right", "9161083100000006Y9", "", "uscc.org_code_check"},
		{"collective economic organisation", "N2610831MA0000000Q", "", "uscc.org_code_check"},

		{"empty", "", "uscc.shape", ""},
		{"17 characters", "91350100M000100Y4", "uscc.shape", ""},
		{"19 characters", "91350100M000100Y433", "uscc.shape", ""},
		{"contains I", "91350100M000100YI3", "uscc.shape", ""},
		{"contains O", "91350100M0001O0Y43", "uscc.shape", ""},
		{"contains S", "S1350100M000100Y43", "uscc.shape", ""},
		{"contains V", "91350100M000100V43", "uscc.shape", ""},
		{"contains Z", "91350100M000100Y4Z", "uscc.shape", ""},
		{"letter in region code", "9135010AM000100Y43", "uscc.shape", ""},
		{"punctuation", "91350100-000100Y43", "uscc.shape", ""},
		{"inner space", "91350100 M000100Y43", "uscc.shape", ""},
		{"full-width", "９１350100M000100Y43", "uscc.shape", ""},

		{"wrong check", "91350100M000100Y44", "uscc.check", ""},
		{"transposed", "91350100M000010Y43", "uscc.check", ""},
		{"wrong check, org code also wrong", "91350100M000100Y57", "uscc.check", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warning, err := domain.CheckUSCC(tt.code)
			if key := errKey(t, err); key != tt.key || warning != tt.warning {
				t.Errorf("CheckUSCC(%q) = %q, key %q; want %q, key %q", tt.code, warning, key, tt.warning, tt.key)
			}
		})
	}
}

func TestCheckUSCCOneCheckCharacter(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	for _, code := range []string{"91350100M000100Y43", "914403001922038216", "91440300708461136T", "91330100716105852F"} {
		accepted := 0
		for i := range len(alphabet) {
			c := code[:17] + alphabet[i:i+1]
			_, err := domain.CheckUSCC(c)
			if (err == nil) != usccValid(c) {
				t.Errorf("%s: CheckUSCC = %v, independent check says %v", c, err, usccValid(c))
			}
			if err == nil {
				accepted++
			} else if k := errKey(t, err); k != "uscc.check" {
				t.Errorf("%s: key %q, want uscc.check", c, k)
			}
		}
		if accepted != 1 {
			t.Errorf("%s: %d check characters accepted, want 1", code[:17], accepted)
		}
	}
}

func TestNormalizeUSCC(t *testing.T) {
	tests := []struct{ in, want string }{
		{" 91350100m000100y43\n", "91350100M000100Y43"},
		{"91350100M000100Y43", "91350100M000100Y43"},
		{"ſı", "ſı"}, // only ASCII is upper-cased; these must not become S and I
	}
	for _, tt := range tests {
		if got := domain.NormalizeUSCC(tt.in); got != tt.want {
			t.Errorf("NormalizeUSCC(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var (
	idShape   = regexp.MustCompile(`^\d{17}[\dX]$`)
	usccShape = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`)
)

func FuzzCheckResidentID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "440524188001010014",
		"610831199003070024", "610831201206150032", "110105194912310021", "610831199002300024",
		"990000199003070021", "610831900307002", "", "６１０８３１"} {
		f.Add(s)
	}
	// A fixed day before any real "now", so what passes here passes in
	// IDBirthAndSex, which uses time.Now.
	today := time.Date(2026, 1, 1, 0, 0, 0, 0, domain.CST)
	keys := map[string]bool{"id.shape": true, "id.region": true, "id.birth": true, "id.check": true}
	f.Fuzz(func(t *testing.T, s string) {
		err := domain.CheckResidentID(s, today)
		key := errKey(t, err)
		if err != nil && !keys[key] {
			t.Fatalf("CheckResidentID(%q): unexpected key %q", s, key)
		}
		n := domain.NormalizeIDNumber(s)
		if domain.NormalizeIDNumber(n) != n {
			t.Fatalf("NormalizeIDNumber not idempotent on %q", s)
		}
		if err2 := domain.CheckResidentID(n, today); errKey(t, err2) != key {
			t.Fatalf("CheckResidentID(%q) = %v but on normalised %q = %v", s, err, n, err2)
		}
		switch key {
		case "", "id.check":
			if !idShape.MatchString(n) || mod112(n) != (key == "") {
				t.Fatalf("CheckResidentID(%q) = %v, but shape %v, recursive MOD 11-2 %v",
					s, err, idShape.MatchString(n), mod112(n))
			}
		case "id.region", "id.birth":
			if !idShape.MatchString(n) {
				t.Fatalf("CheckResidentID(%q) = %v on a bad shape", s, err)
			}
		}
		birth, male, ok := domain.IDBirthAndSex(s)
		if ok != (err == nil) {
			t.Fatalf("IDBirthAndSex(%q) ok = %v but CheckResidentID = %v", s, ok, err)
		}
		if !ok {
			return
		}
		if got := birth.Format("20060102"); got != n[6:14] {
			t.Fatalf("IDBirthAndSex(%q) birth %s, want %s", s, got, n[6:14])
		}
		if male != (int(n[16]-'0')%2 == 1) {
			t.Fatalf("IDBirthAndSex(%q) male = %v", s, male)
		}
		// Any other check character is rejected with id.check.
		for _, c := range "0123456789X" {
			if byte(c) == n[17] {
				continue
			}
			if k := errKey(t, domain.CheckResidentID(n[:17]+string(c), today)); k != "id.check" {
				t.Fatalf("%s%c: key %q, want id.check", n[:17], c, k)
			}
		}
		// The 15-digit form of a 19xx number upgrades back to it.
		if n[6:8] == "19" {
			old := n[:6] + n[8:17]
			if up, err := domain.UpgradeID15(old); err != nil || up != n {
				t.Fatalf("UpgradeID15(%q) = %q, %v; want %q", old, up, err, n)
			}
		}
	})
}

func FuzzCheckUSCC(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "914403001922038216", "91440300708461136T",
		"91330100716105852F", "91350100M000100Y44", "91350100M000100YI3", "91350100M000100Y56",
		" 91350100m000100y43 ", "", "ſ1350100M000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		warning, err := domain.CheckUSCC(s)
		key := errKey(t, err)
		n := domain.NormalizeUSCC(s)
		switch key {
		case "":
			if warning != "" && warning != "uscc.org_code_check" {
				t.Fatalf("CheckUSCC(%q) warning %q", s, warning)
			}
			if !usccShape.MatchString(n) || !usccValid(n) {
				t.Fatalf("CheckUSCC(%q) accepted %q", s, n)
			}
		case "uscc.shape":
			if usccShape.MatchString(n) {
				t.Fatalf("CheckUSCC(%q): shape error on %q", s, n)
			}
		case "uscc.check":
			if !usccShape.MatchString(n) || usccValid(n) {
				t.Fatalf("CheckUSCC(%q): check error on %q", s, n)
			}
		default:
			t.Fatalf("CheckUSCC(%q): unexpected key %q", s, key)
		}
		if err != nil && warning != "" {
			t.Fatalf("CheckUSCC(%q) = %q with error %v", s, warning, err)
		}
		w2, err2 := domain.CheckUSCC(n)
		if w2 != warning || errKey(t, err2) != key {
			t.Fatalf("CheckUSCC(%q) differs from CheckUSCC(%q)", s, n)
		}
		if strings.ContainsAny(n, "IOSVZ") && err == nil {
			t.Fatalf("CheckUSCC(%q) accepted an excluded letter", s)
		}
	})
}
