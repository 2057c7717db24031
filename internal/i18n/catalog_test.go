package i18n_test

import (
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	zh, en := i18n.Keys("zh-CN"), i18n.Keys("en")
	if len(zh) < 100 {
		t.Fatalf("zh-CN has only %d keys", len(zh))
	}
	set := map[string]bool{}
	for _, k := range en {
		set[k] = true
	}
	for _, k := range zh {
		if !set[k] {
			t.Errorf("%s is in zh-CN but not in en", k)
		}
		delete(set, k)
	}
	for k := range set {
		t.Errorf("%s is in en but not in zh-CN", k)
	}
}

var (
	tplKey  = regexp.MustCompile(`\{\{-?\s*t\s+"([a-z0-9_.]+)"`)
	goKey   = regexp.MustCompile(`(?:Key:\s*|Errorf\(domain\.[A-Za-z]+,\s*|FieldErrors\{\}|\.Add\("[a-z_]+",\s*|setFlash\(w, r,\s*|Title:\s*|bad\()"([a-z_]+\.[a-z0-9_.]+)"`)
	mapKeys = regexp.MustCompile(`map\[string\]string\{"[a-z_]+":\s*"([a-z_]+\.[a-z0-9_.]+)"`)
)

// Every key a template or the Go code names exists in both catalogues, so no
// page shows a raw key.
func TestEveryUsedKeyExists(t *testing.T) {
	root := "../"
	used := map[string]string{}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, _ := os.ReadFile(path)
		var res []*regexp.Regexp
		switch {
		case strings.HasSuffix(path, ".html"):
			res = []*regexp.Regexp{tplKey}
		case strings.HasSuffix(path, ".go"):
			res = []*regexp.Regexp{goKey, mapKeys}
		default:
			return nil
		}
		for _, re := range res {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = path
			}
		}
		return nil
	})
	if len(used) < 100 {
		t.Fatalf("found only %d used keys: the scan is broken", len(used))
	}
	for k, where := range used {
		for _, l := range i18n.Langs {
			if !i18n.Has(l, k) {
				t.Errorf("%s (used in %s) is missing from %s", k, where, l)
			}
		}
	}
	// Keys built at run time.
	for _, r := range domain.AllRoles {
		for _, l := range i18n.Langs {
			if !i18n.Has(l, "role."+string(r)) {
				t.Errorf("role.%s missing from %s", r, l)
			}
		}
	}
	for _, lv := range []domain.Level{domain.LevelProvince, domain.LevelCity, domain.LevelCounty, domain.LevelTownship, domain.LevelVillage, domain.LevelGrid} {
		if !i18n.Has("en", "level."+string(lv)) || !i18n.Has("zh-CN", "level."+string(lv)) {
			t.Errorf("level.%s missing", lv)
		}
	}
	for _, k := range domain.NotePhraseKeys() {
		for _, l := range i18n.Langs {
			if !i18n.Has(l, k) {
				t.Errorf("%s (a canned phrase) missing from %s", k, l)
			}
		}
	}
	for _, code := range []string{"400", "401", "403", "404", "409", "413", "422", "429", "500", "503"} {
		if !i18n.Has("zh-CN", "error.page."+code) {
			t.Errorf("error.page.%s missing", code)
		}
	}
}

func TestTranslateAndPick(t *testing.T) {
	if got := i18n.T("zh-CN", "nav.logout"); got != "退出登录" {
		t.Errorf("zh %q", got)
	}
	if got := i18n.T("en", "login.locked", 15); !strings.Contains(got, "15 minutes") {
		t.Errorf("args %q", got)
	}
	if got := i18n.T("xx", "nav.logout"); got != "Sign out" {
		t.Errorf("fallback to English: %q", got)
	}
	if got := i18n.T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("fallback to key: %q", got)
	}
	r := httptest.NewRequest("GET", "/?lang=en", nil)
	if i18n.Pick(r, "zh-CN") != "en" {
		t.Error("?lang wins")
	}
	r = httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "en-US")
	if i18n.Pick(r, "") != "zh-CN" {
		t.Error("default is zh-CN")
	}
	if i18n.Pick(r, "en") != "en" {
		t.Error("user preference")
	}
}
