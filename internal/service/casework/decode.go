package casework

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/domain"
)

// ActionInput carries the fields an action may need (see domain.Workflow);
// DecodeAction fills it from a form or a JSON object.
type ActionInput struct {
	Version      int64
	Risk         string
	Category     string
	Assignee     string // username
	Reason       string
	Note         string
	Outcome      string
	Guidance     string
	ReferredTo   string
	Method       string
	Satisfaction string
	Due          time.Time // supervision deadline; resume date of a pause
	Date         time.Time // date of a mediation session
	Place        string
	Participants string
	Result       string // judicial confirmation
	Days         int    // extension requested
	PartiesAgree bool   // extend_request in people's mediation: both parties agreed to go on
	// assess: the docking unit and mediation organisation (codes) and the
	// mediator (id) chosen; "" / 0 chooses none.
	Unit         string
	MediationOrg string
	Mediator     int64
	Target       string // link, merge: the other matter's number
	Six          *domain.Six
	Milestone    int64 // milestone_done: which line
	// correct: the registration fields to fix (nil leaves a field alone).
	Description *string
	Address     *string
	MoveTo      *string // the village (or other node) the matter belongs to
}

// Fields is where an action's input comes from: a submitted form
// (FormFields) or a JSON object (JSONFields). Field returns a field's text
// and whether it was sent.
type Fields interface {
	Field(name string) (string, bool)
}

// inputFields are the fields an action may read, by name, each with the
// one parser both surfaces share: a bad number or date gets the same field
// error from the form and from the API.
var inputFields = map[string]func(in *ActionInput, v string) error{
	"version":      number("version", func(in *ActionInput, n int64) { in.Version = n }),
	"risk":         text(func(in *ActionInput, v string) { in.Risk = v }),
	"category":     text(func(in *ActionInput, v string) { in.Category = v }),
	"assignee":     text(func(in *ActionInput, v string) { in.Assignee = strings.TrimSpace(v) }),
	"reason":       text(func(in *ActionInput, v string) { in.Reason = v }),
	"note":         text(func(in *ActionInput, v string) { in.Note = v }),
	"outcome":      text(func(in *ActionInput, v string) { in.Outcome = v }),
	"guidance":     text(func(in *ActionInput, v string) { in.Guidance = v }),
	"referred_to":  text(func(in *ActionInput, v string) { in.ReferredTo = v }),
	"method":       text(func(in *ActionInput, v string) { in.Method = v }),
	"satisfaction": text(func(in *ActionInput, v string) { in.Satisfaction = v }),
	"due":          day("due", func(in *ActionInput, t time.Time) { in.Due = domain.EndOfDay(t) }),
	"date":         day("date", func(in *ActionInput, t time.Time) { in.Date = t }),
	"place":        text(func(in *ActionInput, v string) { in.Place = v }),
	"participants": text(func(in *ActionInput, v string) { in.Participants = v }),
	"result":       text(func(in *ActionInput, v string) { in.Result = v }),
	"days":         number("days", func(in *ActionInput, n int64) { in.Days = int(n) }),
	"parties_agree": func(in *ActionInput, v string) error {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "1", "true", "on", "yes":
			in.PartiesAgree = true
		case "", "0", "false", "off", "no":
			in.PartiesAgree = false
		default:
			return app.Required("parties_agree", "field.boolean")
		}
		return nil
	},
	"unit":          text(func(in *ActionInput, v string) { in.Unit = v }),
	"mediation_org": text(func(in *ActionInput, v string) { in.MediationOrg = v }),
	"mediator":      number("mediator", func(in *ActionInput, n int64) { in.Mediator = n }),
	"target":        text(func(in *ActionInput, v string) { in.Target = strings.TrimSpace(v) }),
	"milestone":     number("milestone", func(in *ActionInput, n int64) { in.Milestone = n }),
	"description":   text(func(in *ActionInput, v string) { in.Description = &v }),
	"address":       text(func(in *ActionInput, v string) { in.Address = &v }),
	"move_to":       text(func(in *ActionInput, v string) { in.MoveTo = &v }),
}

// sixFields are the 六个一's fields: in a form beside the others, in JSON
// inside "six".
var sixFields = map[string]func(s *domain.Six, v string){
	"lead_leader":      func(s *domain.Six, v string) { s.LeadLeader = v },
	"mediation_org":    func(s *domain.Six, v string) { s.MediationOrg = v },
	"docking_unit":     func(s *domain.Six, v string) { s.DockingUnit = v },
	"plan":             func(s *domain.Six, v string) { s.Plan = v },
	"schedule":         func(s *domain.Six, v string) { s.Schedule = v },
	"guidance_adviser": func(s *domain.Six, v string) { s.GuidanceAdviser = v },
	"guidance_text":    func(s *domain.Six, v string) { s.GuidanceText = v },
}

func text(set func(*ActionInput, string)) func(*ActionInput, string) error {
	return func(in *ActionInput, v string) error { set(in, v); return nil }
}

func number(field string, set func(*ActionInput, int64)) func(*ActionInput, string) error {
	return func(in *ActionInput, v string) error {
		if v = strings.TrimSpace(v); v == "" {
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return app.Required(field, "field.number")
		}
		set(in, n)
		return nil
	}
}

func day(field string, set func(*ActionInput, time.Time)) func(*ActionInput, string) error {
	return func(in *ActionInput, v string) error {
		if v = strings.TrimSpace(v); v == "" {
			return nil
		}
		t, err := domain.ParseDay(v)
		if err != nil {
			return app.Required(field, "field.date")
		}
		set(in, t)
		return nil
	}
}

// DecodeAction reads the input of one action: version, note and reason,
// and the fields the action's spec reads. An unknown action is not found.
func DecodeAction(action string, f Fields) (ActionInput, error) {
	var in ActionInput
	sp, ok := specFor(action)
	if !ok {
		return in, &domain.Error{Code: domain.NotFound, Key: "case.action.unknown"}
	}
	for _, name := range append([]string{"version", "note", "reason"}, sp.reads...) {
		if name == "six" {
			in.Six = decodeSix(f)
			continue
		}
		if v, sent := f.Field(name); sent {
			if err := inputFields[name](&in, v); err != nil {
				return in, err
			}
		}
	}
	if sp.check != nil {
		if err := sp.check(&in); err != nil {
			return in, err
		}
	}
	return in, nil
}

func decodeSix(f Fields) *domain.Six {
	var six *domain.Six
	for name, set := range sixFields {
		if v, sent := f.Field("six." + name); sent {
			if six == nil {
				six = &domain.Six{}
			}
			set(six, v)
		}
	}
	return six
}

// FormFields reads a submitted form; the 六个一's fields stand beside the
// others (six.plan is the form's plan).
type FormFields url.Values

// Field returns the form value and whether the form holds it.
func (f FormFields) Field(name string) (string, bool) {
	name = strings.TrimPrefix(name, "six.")
	vs, ok := f[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// jsonNames are the API's names where they differ from the form's.
var jsonNames = map[string]string{"mediator": "mediator_id"}

// JSONFields is a JSON object's fields as text: a string as itself, a
// number or true/false as written, null as not sent; the 六个一 is an
// object under "six".
type JSONFields map[string]string

// NewJSONFields flattens a decoded JSON object. A field no action reads is
// refused (json.unknown_field), and so is an object or array where a value
// belongs (json.wrong_type).
func NewJSONFields(obj map[string]json.RawMessage) (JSONFields, error) {
	out := JSONFields{}
	for k, raw := range obj {
		if k == "six" {
			var six map[string]json.RawMessage
			if string(bytes.TrimSpace(raw)) == "null" {
				continue
			}
			if err := json.Unmarshal(raw, &six); err != nil {
				return nil, jsonFieldErr(k, "json.wrong_type")
			}
			for sk, sraw := range six {
				if _, known := sixFields[sk]; !known {
					return nil, jsonFieldErr("six."+sk, "json.unknown_field")
				}
				if err := out.put("six."+sk, sraw); err != nil {
					return nil, err
				}
			}
			continue
		}
		if !knownJSONName(k) {
			return nil, jsonFieldErr(k, "json.unknown_field")
		}
		if err := out.put(k, raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// knownJSONName reports whether some action reads the field k of a JSON
// body (under its API name: "mediator_id", not the form's "mediator").
func knownJSONName(k string) bool {
	if _, renamed := jsonNames[k]; renamed {
		return false
	}
	if _, ok := inputFields[k]; ok {
		return true
	}
	for _, api := range jsonNames {
		if k == api {
			return true
		}
	}
	return false
}

func (j JSONFields) put(k string, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	switch {
	case string(raw) == "null":
	case len(raw) > 0 && raw[0] == '"':
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return jsonFieldErr(k, "json.wrong_type")
		}
		j[k] = v
	case len(raw) > 0 && (raw[0] == '{' || raw[0] == '['):
		return jsonFieldErr(k, "json.wrong_type")
	default: // a number, true or false, as written
		j[k] = string(raw)
	}
	return nil
}

func jsonFieldErr(field, key string) error {
	return &domain.Error{Code: domain.Invalid, Key: key, Fields: map[string]string{field: key}}
}

// Field returns the field under its API name.
func (j JSONFields) Field(name string) (string, bool) {
	if n := jsonNames[name]; n != "" {
		name = n
	}
	v, ok := j[name]
	return v, ok
}
