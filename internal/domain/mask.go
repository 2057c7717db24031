package domain

import (
	"strings"
	"unicode/utf8"
)

// MaskID keeps the first 6 and last 4 characters of an ID number (PI-4):
// 610831********0024.
func MaskID(s string) string {
	switch {
	case len(s) >= 15:
		return s[:6] + strings.Repeat("*", len(s)-10) + s[len(s)-4:]
	case len(s) > 6: // passports and short foreign IDs: 2 + 2 visible
		return s[:2] + strings.Repeat("*", len(s)-4) + s[len(s)-2:]
	}
	return strings.Repeat("*", len(s))
}

// MaskPhone keeps the first 3 and last 4 digits of a mobile: 139****5678;
// of a fixed line (NormalizePhone's form) the area code and the last 4
// digits, the extension hidden: 0912-***1234, 0912-***1234转***.
func MaskPhone(s string) string {
	if area, rest, ok := strings.Cut(s, "-"); ok {
		num, ext, hasExt := strings.Cut(rest, "转")
		num = strings.ReplaceAll(num, "-", "")
		if len(num) < 4 {
			return strings.Repeat("*", len(s))
		}
		out := area + "-" + strings.Repeat("*", len(num)-4) + num[len(num)-4:]
		if hasExt {
			out += "转" + strings.Repeat("*", len(ext))
		}
		return out
	}
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}

// MaskName keeps the first character of a name: 张*, 欧阳** .
func MaskName(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= 1 {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	_ = r
	return s[:size] + strings.Repeat("*", n-1)
}
