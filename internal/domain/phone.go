package domain

import (
	"regexp"
	"strings"
)

// Phone numbers of parties and household members may be mainland mobiles
// or fixed lines (座机): many elderly villagers and most village committees
// give a landline. Accounts keep to mobiles (NormalizeMobile).

var (
	// landlineRE: trunk prefix 0, an area code (010, 02x, or 0 + three
	// digits), a 7- or 8-digit subscriber number that starts with 2–9.
	landlineRE = regexp.MustCompile(`^0(10|2\d|[3-9]\d\d)([2-9]\d{6,7})$`)
	// serviceRE: the nationwide 400/800 numbers organisations publish.
	serviceRE = regexp.MustCompile(`^([48]00)(\d{3})(\d{4})$`)
	// extensionRE: the words people write before an extension.
	extensionRE = regexp.MustCompile(`(?i)(转|分机|ext\.?|x|#)\s*(\d{1,6})$`)
)

// NormalizePhone accepts a mainland mobile (as NormalizeMobile), a fixed
// line with its area code, or a 400/800 number, with any spaces, hyphens,
// brackets and a +86/0086 prefix, and an extension after 转, 分机, ext or #.
// The canonical forms are 13912345678, 0912-5221234 (0912-5221234转801
// with an extension) and 400-123-4567, so that one number written two ways
// finds the same matters.
func NormalizePhone(s string) (string, bool) {
	if m, ok := NormalizeMobile(s); ok {
		return m, true
	}
	s = strings.TrimSpace(s)
	ext := ""
	if m := extensionRE.FindStringSubmatchIndex(s); m != nil {
		ext, s = s[m[4]:m[5]], s[:m[0]]
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '-', '\u00a0', '\t', '(', ')', '（', '）', '—', '－':
		default:
			b.WriteRune(r)
		}
	}
	p := b.String()
	for _, pre := range []string{"+86", "0086"} {
		if strings.HasPrefix(p, pre) {
			p = "0" + strings.TrimPrefix(p[len(pre):], "0")
			break
		}
	}
	if m := landlineRE.FindStringSubmatch(p); m != nil {
		out := "0" + m[1] + "-" + m[2]
		if ext != "" {
			out += "转" + ext
		}
		return out, true
	}
	if m := serviceRE.FindStringSubmatch(p); m != nil && ext == "" {
		return m[1] + "-" + m[2] + "-" + m[3], true
	}
	return "", false
}
