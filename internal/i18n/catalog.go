// Package i18n holds jiefen's message catalogues (zh-CN, the default, and
// English) as embedded JSON with dotted keys. A missing key falls back to
// English and then to the key itself.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

//go:embed locales/*.json
var localesFS embed.FS

// Default is the language shown when nothing else is chosen.
const Default = "zh-CN"

// Langs lists the supported languages.
var Langs = []string{"zh-CN", "en"}

var catalogs = mustLoad()

func mustLoad() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, l := range Langs {
		b, err := localesFS.ReadFile("locales/" + l + ".json")
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s.json: %v", l, err))
		}
		out[l] = m
	}
	return out
}

// named is an argument that is a message key itself (domain.Name): it is
// translated into the same language before it is formatted in.
type named interface{ MessageKey() string }

// T translates key into lang, formatting args with fmt verbs in the message;
// an argument with a MessageKey is replaced by that key's translation.
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		if msg, ok = catalogs["en"][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		cloned := false
		for i, a := range args {
			if n, ok := a.(named); ok {
				if !cloned { // the caller's slice (an error's Args) stays as it was
					args, cloned = slices.Clone(args), true
				}
				args[i] = T(lang, n.MessageKey())
			}
		}
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether lang's catalogue holds key.
func Has(lang, key string) bool { _, ok := catalogs[lang][key]; return ok }

// Keys lists a catalogue's keys, sorted (for tests).
func Keys(lang string) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Supported returns lang if it is supported, else "".
func Supported(lang string) string {
	for _, l := range Langs {
		if strings.EqualFold(l, lang) {
			return l
		}
	}
	switch strings.ToLower(lang) {
	case "zh", "zh-cn", "zh-hans", "cn":
		return "zh-CN"
	case "en-us", "en-gb":
		return "en"
	}
	return ""
}

// Pick chooses the language for a request: ?lang=, then the lang cookie, then
// the user's preference, then the default. Accept-Language is ignored on
// purpose: county intranet browsers are often set to English by whoever
// installed them, and the staff work in Chinese.
func Pick(r *http.Request, userPref string) string {
	if l := Supported(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		if l := Supported(c.Value); l != "" {
			return l
		}
	}
	if l := Supported(userPref); l != "" {
		return l
	}
	return Default
}
