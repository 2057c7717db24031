package browsertest_test

import (
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// A validation error keeps what the receptionist typed, the valid ID number
// and phone too: only the bad field needs correcting before the matter is
// registered.
func TestRegistrationKeepsTypedValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	recep := e.newTab(t, desktop)
	recep.login("recep", jftest.Password)
	recep.open("/cases/new")
	recep.set(map[string]string{"#category": "land_contract", "#org_code": "610831101200", "#address": "何家集村三组",
		"#description": "张建军与李保国因承包地边界发生争执。", "#p0_name": "张建军", "#p0_id": "610831199003070024",
		"#p0_phone": "139 1234 5678", "#p1_name": "李保国", "#p1_phone": "12345"})
	recep.submit(`form[action="/cases"] button[type=submit]`)
	recep.wantPath("/cases")
	for sel, want := range map[string]string{"#p0_id": "610831199003070024", "#p0_phone": "139 1234 5678", "#p1_phone": "12345", "#p1_name": "李保国"} {
		if v := eval[string](recep, `document.querySelector(`+jsString(sel)+`).value`); v != want {
			t.Errorf("after the error %s = %q, want %q", sel, v, want)
		}
	}
	if v := eval[string](recep, `document.querySelector("#p1_phone").getAttribute("aria-invalid") || ""`); v != "true" {
		t.Errorf("the bad phone is not marked invalid: %q", v)
	}
	if v := eval[string](recep, `(function(){var d=document.querySelector("#p1_phone").getAttribute("aria-describedby");`+
		`var m=d&&document.getElementById(d);return m?m.className:""})()`); v != "field-error" {
		t.Errorf("the bad phone is not described by its error: %q", v)
	}
	if v := eval[string](recep, `document.activeElement ? document.activeElement.id : ""`); v != "p1_phone" {
		t.Errorf("focus is on %q after the error, want the bad phone", v)
	}
	recep.set(map[string]string{"#p1_phone": "138 0000 1111"})
	recep.submit(`form[action="/cases"] button[type=submit]`)
	if p := recep.location().Path; !caseURL.MatchString(p) {
		t.Fatalf("after correcting the phone at %s: %.300s", p, recep.text("main"))
	}
	recep.wantText("main", "已登记", "610831********0024", "139****5678", "138****1111")
}
