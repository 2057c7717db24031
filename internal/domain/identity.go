package domain

import (
	"regexp"
	"strings"
	"time"
)

// Validators for the two national identifiers jiefen stores: the resident
// identity number (GB 11643-1999) and the unified social credit code
// (GB 32100-2015). The rules and worked examples are in
// shared/data/identity-rules.md.
//
// Errors are *Error with Code Invalid and one of the message keys
//
//	id.shape id.region id.birth id.check
//	uscc.shape uscc.check
//
// The caller knows the form field and may put the key into Fields.

// NormalizeIDNumber trims surrounding white space and upper-cases ASCII
// letters, so a lowercase check character x becomes X. It does not validate.
func NormalizeIDNumber(s string) string {
	return upperASCII(strings.TrimSpace(s))
}

// NormalizeUSCC trims surrounding white space and upper-cases ASCII letters.
// It does not validate.
func NormalizeUSCC(s string) string {
	return upperASCII(strings.TrimSpace(s))
}

// upperASCII upper-cases a–z only; unicode.ToUpper would turn ı and ſ into
// ASCII letters.
func upperASCII(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) < 0 {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

var (
	residentIDRE = regexp.MustCompile(`^\d{17}[\dX]$`)
	residentID15 = regexp.MustCompile(`^\d{15}$`)
)

// idProvinces holds the first two digits of real province-level codes, plus
// 81/82/83 used by residence permits for Hong Kong, Macao and Taiwan
// residents. Counties are not checked: abolished codes stay valid for life.
var idProvinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"81": true, "82": true, "83": true,
}

// idWeights are 2^(17-i) mod 11 for i = 0..16 (ISO 7064 MOD 11-2).
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps S mod 11 to the check character.
const idCheckChars = "10X98765432"

// earliestBirth is the lower bound the reference code uses; the standard's
// own example was born in 1880, so 1900 would be wrong.
var earliestBirth = time.Date(1850, 1, 1, 0, 0, 0, 0, CST)

// idCheckChar computes the check character of 17 ASCII digits.
func idCheckChar(digits17 string) byte {
	s := 0
	for i := range 17 {
		s += int(digits17[i]-'0') * idWeights[i]
	}
	return idCheckChars[s%11]
}

// parseIDBirth parses YYYYMMDD into a CST date; ok is false for a date that
// does not exist (20260230) or is out of time.Date's normalising reach.
func parseIDBirth(ymd string) (time.Time, bool) {
	if len(ymd) != 8 {
		return time.Time{}, false
	}
	n := 0
	for i := range 8 {
		c := ymd[i]
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		n = n*10 + int(c-'0')
	}
	y, m, d := n/10000, time.Month(n/100%100), n%100
	t := time.Date(y, m, d, 0, 0, 0, 0, CST)
	if t.Year() != y || t.Month() != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// CheckResidentID validates an 18-character resident identity number
// (GB 11643-1999) and, with the same layout, a residence permit for Hong
// Kong, Macao or Taiwan residents (810000/820000/830000). Input is
// normalised first, so a lowercase x is accepted. The rules are tried in
// order, and the first one broken gives the key:
//
//	id.shape   not 17 digits followed by a digit or X
//	id.region  first two digits are not a province code (11–65, 81–83)
//	id.birth   birth date does not exist, is after today (in CST) or before 1850-01-01
//	id.check   the ISO 7064 MOD 11-2 check character is wrong
//
// Foreign permanent-residence ID cards (2023 edition, leading 9) are a
// different document type and fail with id.region.
func CheckResidentID(s string, today time.Time) error {
	s = NormalizeIDNumber(s)
	if !residentIDRE.MatchString(s) {
		return Errorf(Invalid, "id.shape")
	}
	if !idProvinces[s[:2]] {
		return Errorf(Invalid, "id.region")
	}
	birth, ok := parseIDBirth(s[6:14])
	if !ok || birth.Before(earliestBirth) || birth.After(dateOf(today)) {
		return Errorf(Invalid, "id.birth")
	}
	if idCheckChar(s[:17]) != s[17] {
		return Errorf(Invalid, "id.check")
	}
	return nil
}

// IDBirthAndSex derives the birth date (midnight CST) and sex from a resident
// identity number: the 17th character is odd for a man and even for a woman.
// ok is false, and the other results are zero, unless CheckResidentID accepts
// s today.
func IDBirthAndSex(s string) (birth time.Time, male bool, ok bool) {
	s = NormalizeIDNumber(s)
	if CheckResidentID(s, time.Now()) != nil {
		return time.Time{}, false, false
	}
	birth, _ = parseIDBirth(s[6:14])
	return birth, (s[16]-'0')%2 == 1, true
}

// UpgradeID15 turns a 15-digit number issued under GB 11643-1989
// (AAAAAA YYMMDD SSS, all born in the 1900s) into the 18-character form by
// inserting "19" before the birth year and appending the check character:
// 610831900307002 becomes 610831199003070024. The input is trimmed; errors
// use the id.shape, id.region and id.birth keys of CheckResidentID.
func UpgradeID15(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !residentID15.MatchString(s) {
		return "", Errorf(Invalid, "id.shape")
	}
	body := s[:6] + "19" + s[6:]
	id := body + string(idCheckChar(body))
	// A 19xx date is never in the future nor before 1850, so only the
	// region and the date's existence can fail here.
	if err := CheckResidentID(id, time.Now()); err != nil {
		return "", err
	}
	return id, nil
}

// usccAlphabet lists the 31 characters of a unified social credit code; a
// character's value is its index. I, O, S, V and Z are excluded.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccRE = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`)

// usccWeights are 3^(i-1) mod 31 for i = 1..17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgCodeWeights weigh the eight body characters of a GB 11714 organisation
// code.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// USCCOrgCodeWarning is the warning CheckUSCC returns when the embedded
// organisation code fails its own check.
const USCCOrgCodeWarning = "uscc.org_code_check"

// CheckUSCC validates an 18-character unified social credit code
// (GB 32100-2015). Input is normalised first (NormalizeUSCC). err has key
// uscc.shape when the code does not match the character layout and
// uscc.check when the 18th character is wrong. When the code is otherwise
// valid but the GB 11714 organisation code it embeds (characters 9–17) fails
// its own check, CheckUSCC returns the warning "uscc.org_code_check" and a
// nil error: such codes have been issued and must still be accepted.
func CheckUSCC(s string) (warning string, err error) {
	s = NormalizeUSCC(s)
	if !usccRE.MatchString(s) {
		return "", Errorf(Invalid, "uscc.shape")
	}
	if usccCheckChar(s[:17]) != s[17] {
		return "", Errorf(Invalid, "uscc.check")
	}
	if orgCodeCheckChar(s[8:16]) != s[16] {
		return USCCOrgCodeWarning, nil
	}
	return "", nil
}

// usccCheckChar computes the 18th character from 17 characters that match
// the shape regexp.
func usccCheckChar(s17 string) byte {
	sum := 0
	for i := range 17 {
		sum += strings.IndexByte(usccAlphabet, s17[i]) * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31]
}

// orgCodeCheckChar computes the check character of the eight body characters
// of a GB 11714 organisation code: digits are worth 0–9 and letters A=10 …
// Z=35; C = 11 − S mod 11, with 10 written X and 11 written 0.
func orgCodeCheckChar(body8 string) byte {
	sum := 0
	for i := range 8 {
		c := body8[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// IdentifyingSearch reports whether a search text names one person: it has
// the shape of a resident ID number (15 or 18 characters, whatever its
// check character) or is a phone number. Such a text is kept out of
// addresses and logs like the personal data it is.
func IdentifyingSearch(s string) bool {
	id := strings.NewReplacer(" ", "", "-", "").Replace(NormalizeIDNumber(s))
	if residentIDRE.MatchString(id) || residentID15.MatchString(id) {
		return true
	}
	_, ok := NormalizePhone(s)
	return ok
}
