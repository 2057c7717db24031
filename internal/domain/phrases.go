package domain

import "strconv"

// notePhrases are the canned phrases (常用语) offered beside an action's
// note, one list per kind of note, each phrase a message key
// (phrase.<list>.<n>, translated in the catalogues). One fixed list for
// the county, kept here; a phrase is inserted, then edited as needed.
var notePhrases = map[string]struct {
	list string
	n    int
}{
	"progress":    {"progress", 6},
	"note":        {"note", 4},
	"inform":      {"inform", 4},
	"visit":       {"visit", 4},
	"checkin":     {"checkin", 3},
	"session":     {"session", 3},
	"reply":       {"reply", 3},
	"supervise":   {"oversee", 3},
	"remind":      {"oversee", 3},
	"return":      {"return", 2},
	"close":       {"close", 3},
	"deteriorate": {"deteriorate", 2},
}

// NotePhrases lists the message keys of the canned phrases for action's
// note (none for most actions).
func NotePhrases(action string) []string {
	p, ok := notePhrases[action]
	if !ok {
		return nil
	}
	out := make([]string, p.n)
	for i := range out {
		out[i] = "phrase." + p.list + "." + strconv.Itoa(i+1)
	}
	return out
}

// NotePhraseKeys lists every phrase key (the catalogues must hold each).
func NotePhraseKeys() []string {
	seen := map[string]bool{}
	var out []string
	for a := range notePhrases {
		for _, k := range NotePhrases(a) {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}
