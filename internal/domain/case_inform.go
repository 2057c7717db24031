package domain

import "strings"

// InformMethods are the ways the parties are told the result (告知方式),
// as the inform action records them; their names are the catalogue's
// inform_method.* entries.
var InformMethods = []string{"phone", "sms", "in_person", "written", "wechat", "other"}

// informWords sort a method typed as free text before the list existed
// into the list: the first entry whose word the text contains.
var informWords = []struct{ word, code string }{
	{"短信", "sms"}, {"微信", "wechat"}, {"电话", "phone"}, {"致电", "phone"}, {"通话", "phone"},
	{"书面", "written"}, {"邮寄", "written"}, {"信函", "written"}, {"寄送", "written"}, {"送达", "written"}, {"告知书", "written"},
	{"当面", "in_person"}, {"上门", "in_person"}, {"面告", "in_person"}, {"现场", "in_person"}, {"来访", "in_person"}, {"入户", "in_person"},
}

// IsInformMethod reports whether s is one of InformMethods.
func IsInformMethod(s string) bool {
	for _, m := range InformMethods {
		if m == s {
			return true
		}
	}
	return false
}

// InformMethodOf is the method an inform recorded, as one of
// InformMethods: the code itself, or for an older free-text entry the
// method its words name ("other" when they name none).
func InformMethodOf(recorded string) string {
	s := strings.TrimSpace(recorded)
	if IsInformMethod(s) {
		return s
	}
	for _, w := range informWords {
		if strings.Contains(s, w.word) {
			return w.code
		}
	}
	return "other"
}
