package domain_test

import (
	"strings"
	"testing"

	"jiefen/internal/domain"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, want, mask string }{
		{"13912345678", "13912345678", "139****5678"},
		{"+86 139-1234-5678", "13912345678", "139****5678"},
		{"0912-5221234", "0912-5221234", "0912-***1234"},
		{"(0912) 522 1234", "0912-5221234", "0912-***1234"},
		{"（0912）5221234", "0912-5221234", "0912-***1234"},
		{"09125221234", "0912-5221234", "0912-***1234"},
		{"+86 912 5221234", "0912-5221234", "0912-***1234"},
		{"010-62345678", "010-62345678", "010-****5678"},
		{"02988887777", "029-88887777", "029-****7777"},
		{"0912-5221234转801", "0912-5221234转801", "0912-***1234转***"},
		{"0912-5221234 ext. 12", "0912-5221234转12", "0912-***1234转**"},
		{"400-123-4567", "400-123-4567", "400-***4567"},
		{"4001234567", "400-123-4567", "400-***4567"},
		{"5221234", "", ""},         // no area code: which county?
		{"0912-0221234", "", ""},    // subscriber numbers do not start with 0 or 1
		{"0912-522123", "", ""},     // six digits
		{"0912-522123456", "", ""},  // nine digits
		{"12912345678", "", ""},     // no such mobile prefix
		{"400-123-4567转8", "", ""},  // service numbers take no extension here
		{"电话 0912-5221234", "", ""}, // words are not part of a number
		{"", "", ""},
	} {
		got, ok := domain.NormalizePhone(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
			continue
		}
		if ok {
			if m := domain.MaskPhone(got); m != tc.mask {
				t.Errorf("MaskPhone(%q) = %q; want %q", got, m, tc.mask)
			}
			if again, _ := domain.NormalizePhone(got); again != got {
				t.Errorf("not idempotent: %q → %q", got, again)
			}
		}
	}
}

// A fixed line without its last four digits visible leaks nothing more
// than a mobile's mask does: at most the area code and four digits.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"0912-5221234", "(010)62345678转9", "4001234567", "+86 29 88887777", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := domain.NormalizePhone(s)
		if !ok {
			return
		}
		if again, ok2 := domain.NormalizePhone(got); !ok2 || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, renormalised to %q, %v", s, got, again, ok2)
		}
		m := domain.MaskPhone(got)
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits > 8 || !strings.Contains(m, "*") {
			t.Fatalf("MaskPhone(%q) = %q shows too much", got, m)
		}
	})
}
