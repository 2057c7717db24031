package casework

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"jiefen/internal/domain"
)

// Every action of the workflow has exactly one spec, and every spec reads
// only fields the decoder knows.
func TestEveryActionHasASpec(t *testing.T) {
	for _, tr := range domain.Workflow {
		sp, ok := specs[tr.Action]
		if !ok {
			t.Errorf("action %s has no spec", tr.Action)
			continue
		}
		if sp.t.Action != tr.Action {
			t.Errorf("spec %s holds transition %s", tr.Action, sp.t.Action)
		}
		for _, f := range sp.reads {
			if _, known := inputFields[f]; !known && f != "six" {
				t.Errorf("spec %s reads unknown field %s", tr.Action, f)
			}
		}
		for _, req := range tr.Requires {
			if req != "note" && req != "reason" && !contains(sp.reads, req) {
				t.Errorf("action %s requires %s but its spec does not read it", tr.Action, req)
			}
		}
	}
	if len(specs) != len(domain.Workflow) {
		t.Errorf("%d specs for %d actions", len(specs), len(domain.Workflow))
	}
	if !IsPublic("register") || !IsPublic("close") || IsPublic("note") || IsPublic("nonsense") {
		t.Error("the citizen's steps are wrong")
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func jsonFields(t *testing.T, body string) Fields {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &obj); err != nil {
		t.Fatal(err)
	}
	f, err := NewJSONFields(obj)
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return f
}

// A bad number or date gets the same field error from a form and from JSON.
func TestDecodeSameErrorsOnBothSurfaces(t *testing.T) {
	cases := []struct {
		action, form, json, field, key string
	}{
		{"extend_request", "days=abc", `{"days":"abc"}`, "days", "field.number"},
		{"extend_request", "days=1.5", `{"days":1.5}`, "days", "field.number"},
		{"supervise", "due=2026-13-01", `{"due":"2026-13-01"}`, "due", "field.date"},
		{"session", "date=tomorrow", `{"date":"tomorrow"}`, "date", "field.date"},
		{"assess", "mediator=x", `{"mediator_id":"x"}`, "mediator", "field.number"},
		{"note", "version=v2", `{"version":"v2"}`, "version", "field.number"},
		{"extend_request", "parties_agree=maybe", `{"parties_agree":"maybe"}`, "parties_agree", "field.boolean"},
	}
	for _, c := range cases {
		form, _ := url.ParseQuery(c.form)
		_, ferr := DecodeAction(c.action, FormFields(form))
		_, jerr := DecodeAction(c.action, jsonFields(t, c.json))
		for surface, err := range map[string]error{"form": ferr, "json": jerr} {
			e, ok := err.(*domain.Error)
			if !ok || e.Code != domain.Invalid || e.Fields[c.field] != c.key {
				t.Errorf("%s %s on the %s: %v, want %s: %s", c.action, c.form, surface, err, c.field, c.key)
			}
		}
	}
}

func TestDecodeReadsBothSurfacesAlike(t *testing.T) {
	form, _ := url.ParseQuery("version=3&days=5&parties_agree=1&note=双方同意&reason=调解需要更多时间&risk=red")
	fromForm, err := DecodeAction("extend_request", FormFields(form))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := DecodeAction("extend_request", jsonFields(t, `{"version":3,"days":5,"parties_agree":true,"note":"双方同意","reason":"调解需要更多时间","risk":"red"}`))
	if err != nil {
		t.Fatal(err)
	}
	if fromForm != fromJSON || fromForm.Days != 5 || !fromForm.PartiesAgree || fromForm.Version != 3 {
		t.Fatalf("form %+v, json %+v", fromForm, fromJSON)
	}
	if fromForm.Risk != "" {
		t.Error("extend_request read a field it does not use")
	}
	six, err := DecodeAction("six", jsonFields(t, `{"six":{"plan":"先调查后调解","lead_leader":"王书记"}}`))
	if err != nil || six.Six == nil || six.Six.Plan != "先调查后调解" || six.Six.LeadLeader != "王书记" {
		t.Fatalf("six from JSON: %+v %v", six.Six, err)
	}
	form, _ = url.ParseQuery("plan=先调查后调解&lead_leader=王书记")
	if six, err := DecodeAction("six", FormFields(form)); err != nil || six.Six == nil || six.Six.Plan != "先调查后调解" {
		t.Fatalf("six from the form: %+v %v", six.Six, err)
	}
	if in, _ := DecodeAction("correct", FormFields(url.Values{"address": {"三组"}})); in.Address == nil || in.Description != nil {
		t.Fatalf("correct keeps unsent fields alone: %+v", in)
	}
	if _, err := DecodeAction("fly", FormFields(nil)); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("unknown action: %v", err)
	}
}

func TestJSONFieldsRefuseWhatNoActionReads(t *testing.T) {
	for body, field := range map[string]string{
		`{"is_admin":true}`:     "is_admin",
		`{"mediator":3}`:        "mediator", // the API's name is mediator_id
		`{"six":{"owner":"x"}}`: "six.owner",
		`{"note":{"text":"x"}}`: "note",
		`{"six":"all of them"}`: "six",
	} {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &obj); err != nil {
			t.Fatal(err)
		}
		_, err := NewJSONFields(obj)
		if e, ok := err.(*domain.Error); !ok || e.Fields[field] == "" {
			t.Errorf("%s: %v, want a field error on %s", body, err, field)
		}
	}
}

// 告知方式 is a choice from domain.InformMethods, checked by the decoder
// the same way for a form and a JSON body; the free text once accepted is
// refused, and the approval method of an extension (free text) is not
// touched.
func TestDecodeInformMethod(t *testing.T) {
	for _, m := range domain.InformMethods {
		for _, f := range []Fields{FormFields(url.Values{"method": {" " + m + " "}}), JSONFields{"method": m}} {
			in, err := DecodeAction("inform", f)
			if err != nil || in.Method != m {
				t.Errorf("inform by %s: %+v %v", m, in, err)
			}
		}
	}
	for v, key := range map[string]string{"电话": "case.method.invalid", "fax": "case.method.invalid", "": "case.method.required", "  ": "case.method.required"} {
		for _, f := range []Fields{FormFields(url.Values{"method": {v}}), JSONFields{"method": v}} {
			_, err := DecodeAction("inform", f)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.Invalid || de.Fields["method"] != key {
				t.Errorf("inform by %q: %v, want the field error %s", v, err, key)
			}
		}
	}
	if _, err := DecodeAction("inform", FormFields(url.Values{})); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("inform without a method: %v", err)
	}
	if in, err := DecodeAction("extend_approve", FormFields(url.Values{"method": {"书面批复"}})); err != nil || in.Method != "书面批复" {
		t.Errorf("an extension's approval method: %+v %v", in, err)
	}
	// An older inform's free text is still read as a method.
	for text, want := range map[string]string{"电话": "phone", "上门": "in_person", "书面": "written", "邮寄告知书": "written", "微信语音": "wechat", "托村干部转告": "other", "sms": "sms"} {
		if got := domain.InformMethodOf(text); got != want {
			t.Errorf("InformMethodOf(%q) = %s, want %s", text, got, want)
		}
	}
}
