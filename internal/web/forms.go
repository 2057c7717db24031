package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
)

// fieldErrors are one form's field errors (field → translated message),
// given to its template as .E. Their ids ("err-<prefix>-<field>", or
// "err-<field>" without a prefix) stay unique on a page of several forms.
// The template functions below read them in the form's order: the first
// invalid field gets autofocus, and "ferr_rest" shows, at the end of the
// form, any error no field of the form showed.
type fieldErrors struct {
	prefix  string
	msgs    map[string]string
	shown   map[string]bool
	focused bool
}

func newFieldErrors(prefix string, msgs map[string]string) *fieldErrors {
	return &fieldErrors{prefix: prefix, msgs: msgs, shown: map[string]bool{}}
}

// errorID is the id of field's error message in e's form.
func errorID(e any, field string) string {
	if fe, ok := e.(*fieldErrors); ok && fe != nil && fe.prefix != "" {
		return "err-" + fe.prefix + "-" + field
	}
	return "err-" + field
}

// errorMsg is field's message in e (a form's *fieldErrors or a page's
// plain map), "" when it has none; it marks the message shown.
func errorMsg(e any, field string) string {
	switch e := e.(type) {
	case map[string]string:
		return e[field]
	case *fieldErrors:
		if e == nil {
			return ""
		}
		if m := e.msgs[field]; m != "" {
			e.shown[field] = true
			return m
		}
	}
	return ""
}

// errorAttrs are the attributes of an invalid field: aria-invalid, the
// error it is described by and, on a form's first invalid field, autofocus
// (the no-JavaScript way to land on it). Nothing for a valid field.
func errorAttrs(e any, field string) template.HTMLAttr {
	var msg string
	switch e := e.(type) {
	case map[string]string:
		msg = e[field]
	case *fieldErrors:
		if e != nil {
			msg = e.msgs[field]
		}
	}
	if msg == "" {
		return ""
	}
	a := ` aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(errorID(e, field)) + `"`
	if fe, ok := e.(*fieldErrors); ok && !fe.focused {
		fe.focused = true
		a += " autofocus"
	}
	return template.HTMLAttr(a)
}

type restError struct{ ID, Msg string }

// errorsLeft are the errors of e that no field of the form showed, by
// field name.
func errorsLeft(e any) []restError {
	fe, ok := e.(*fieldErrors)
	if !ok || fe == nil {
		return nil
	}
	var names []string
	for f := range fe.msgs {
		if !fe.shown[f] {
			names = append(names, f)
		}
	}
	sort.Strings(names)
	out := make([]restError, 0, len(names))
	for _, f := range names {
		fe.shown[f] = true
		out = append(out, restError{errorID(fe, f), fe.msgs[f]})
	}
	return out
}

// formValue is what the user posted in field when the form is being shown
// again after an error (v non-nil), else def (the field's usual value).
func formValue(v url.Values, field string, def any) string {
	if v != nil {
		return v.Get(field)
	}
	if def == nil {
		return ""
	}
	return fmt.Sprint(def)
}

func formFuncs() template.FuncMap {
	return template.FuncMap{
		"ferrid":   errorID,
		"ferrmsg":  errorMsg,
		"fattr":    errorAttrs,
		"ferrrest": errorsLeft,
		"fv":       formValue,
		"phrases":  domain.NotePhrases,
	}
}

// actionFailure is an action form that was refused: the page is shown again
// with that form open, its errors inside it and what was typed in it.
type actionFailure struct {
	Action  string
	Message string            // the refusal's sentence (a conflict, a refusal, an input error)
	Fields  map[string]string // field → message, this form's only
	Values  url.Values        // as posted
	Panel   bool              // the form is on the page again (the action is still possible)
	Alert   string            // the page's alert: the action and what to do
}

// newActionFailure describes err, the refusal of action (described as d)
// with the form values posted, in lang. A stale version says what happened
// and what to do: the page now shows the matter as it is, the form keeps
// what was typed, and sending it again acts on the new version.
func newActionFailure(action string, d httpx.ErrorDetail, err error, posted url.Values, lang string) *actionFailure {
	f := &actionFailure{Action: action, Message: d.Message, Fields: d.Fields, Values: posted}
	if de, ok := errors.AsType[*domain.Error](err); ok && de.Key == "error.stale_version" {
		f.Message = i18n.T(lang, "case.action.stale")
	}
	return f
}

// actionForm is one action's form on the matter page.
type actionForm struct {
	Action  string
	Open    bool
	Failed  bool
	Message string // the refusal's sentence when it is not about a field
	E       *fieldErrors
	V       url.Values
}

// actionForms lists the forms of the actions, the failed one open with its
// errors and values (the others closed); without a failure the only action,
// or the assessment, is open.
func actionForms(actions []string, failed *actionFailure, lang string) []actionForm {
	var out []actionForm
	for _, a := range actions {
		if a == "milestone_done" {
			continue // the milestones' own button
		}
		f := actionForm{Action: a, E: newFieldErrors(a, nil), Open: len(actions) == 1 || a == "assess"}
		if failed != nil {
			f.Open = false
			if failed.Action == a {
				f.Open, f.Failed, f.E, f.V = true, true, newFieldErrors(a, failed.Fields), failed.Values
				if len(failed.Fields) == 0 {
					f.Message = failed.Message
				}
			}
		}
		out = append(out, f)
	}
	if failed != nil {
		failed.Panel = slices.ContainsFunc(out, func(f actionForm) bool { return f.Failed })
		name := i18n.T(lang, "action."+failed.Action)
		switch {
		case failed.Panel && len(failed.Fields) > 0:
			failed.Alert = i18n.T(lang, "case.action.failed_fields", name, len(failed.Fields))
		case failed.Panel: // the form says why
			failed.Alert = i18n.T(lang, "case.action.failed_see", name)
		default:
			failed.Alert = i18n.T(lang, "case.action.failed", name, failed.Message)
		}
	}
	return out
}
