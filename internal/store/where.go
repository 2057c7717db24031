package store

import (
	"strconv"
	"strings"
)

// where builds a dynamic WHERE clause: conditions use ? and are renumbered
// to $n as they are added, so values are never interpolated.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	for i := 0; i < len(cond); i++ {
		if cond[i] == '?' {
			w.args = append(w.args, nil)
			b.WriteString("$" + strconv.Itoa(len(w.args)))
			continue
		}
		b.WriteByte(cond[i])
	}
	copy(w.args[len(w.args)-len(args):], args)
	w.conds = append(w.conds, b.String())
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// idsIn is the numbered placeholders "$first, $first+1, …" of ids, with
// the ids as arguments (for `… IN (…)` in a statement).
func idsIn(ids []int64, first int) (string, []any) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = "$"+strconv.Itoa(first+i), id
	}
	return strings.Join(ph, ", "), args
}

// addIDs adds "col IN (ids)" to a where clause.
func (w *where) addIDs(col string, ids []int64) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	w.add(col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")", args...)
}
