package domain

import (
	"strings"
	"unicode/utf8"
)

// Level is a node's level in the administrative tree.
type Level string

const (
	LevelProvince Level = "province"
	LevelCity     Level = "city"
	LevelCounty   Level = "county"
	LevelTownship Level = "township"
	LevelVillage  Level = "village"
	LevelGrid     Level = "grid"
)

// Depth orders levels from the root down.
func (l Level) Depth() int {
	switch l {
	case LevelProvince:
		return 0
	case LevelCity:
		return 1
	case LevelCounty:
		return 2
	case LevelTownship:
		return 3
	case LevelVillage:
		return 4
	case LevelGrid:
		return 5
	}
	return -1
}

// Org is a node of the administrative tree: the county, a township or
// sub-district, a village or community, or a grid cell the centre created.
// Path lists the codes from the root, "/610831/610831001/", so a subtree is a
// path prefix.
type Org struct {
	Code       string
	Name       string
	Level      Level
	ParentCode string
	Path       string
}

// Contains reports whether other lies in o's subtree (o itself included).
func (o Org) Contains(otherPath string) bool {
	return o.Path != "" && strings.HasPrefix(otherPath, o.Path)
}

// ValidCode reports whether s looks like a division or grid code: 6 to 15
// ASCII digits.
func ValidCode(s string) bool {
	if len(s) < 6 || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Validate checks a node before it is stored.
func (o Org) Validate() error {
	f := FieldErrors{}
	if !ValidCode(o.Code) {
		f.Add("code", "org.code.invalid")
	}
	n := strings.TrimSpace(o.Name)
	if n == "" {
		f.Add("name", "field.required")
	} else if utf8.RuneCountInString(n) > 64 || !utf8.ValidString(n) {
		f.Add("name", "field.too_long")
	}
	if o.Level.Depth() < 0 {
		f.Add("level", "org.level.invalid")
	}
	if o.ParentCode != "" && !ValidCode(o.ParentCode) {
		f.Add("parent_code", "org.code.invalid")
	}
	return f.Err()
}

// VillagePath cuts a place's path to its village (/county/township/village/).
func VillagePath(p string) string {
	parts := strings.SplitAfterN(p, "/", 5)
	if len(parts) < 5 {
		return ""
	}
	return strings.Join(parts[:4], "")
}

// Posts are the leaders' posts that lead graded matters (三色分级, 分级负责):
// red by the county political-legal committee secretary, yellow by the
// secretary of the matter's township, blue by the centre director.
var Posts = []string{"plc_secretary", "centre_director", "township_secretary"}

var PostName = map[string]string{"plc_secretary": "政法委书记", "centre_director": "中心主任", "township_secretary": "乡镇（街道）书记"}
