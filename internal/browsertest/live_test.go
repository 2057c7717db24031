package browsertest_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// waitFor polls a JavaScript condition until it holds or the step times out.
func (tb *tab) waitFor(what, cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for !eval[bool](tb, cond) {
		if time.Now().After(deadline) {
			tb.t.Fatalf("at %s: %s did not happen; the page says: %.300q", tb.location().Path, what, tb.text("main"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A page left open learns, without a reload, of a matter registered in its
// user's area (a banner on the list) and of a matter another user dispatches
// to it (a toast and the inbox badge).
func TestLiveUpdates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher)
	jftest.MakeUser(t, e.svc, "med1", "610831101", domain.RoleMediator)
	disp, med := e.newTab(t, desktop), e.newTab(t, desktop)
	disp.login("disp", jftest.Password)
	med.login("med1", jftest.Password)
	med.open("/cases")
	if !eval[bool](med, `document.querySelector("[data-new-cases]").hidden && document.querySelector("[data-unread]").hidden`) {
		t.Fatal("the banner or the badge shows before anything happened")
	}
	time.Sleep(500 * time.Millisecond) // the page's event stream connects

	c, err := e.svc.RegisterCase(jftest.As(recep, "10.0.0.9"), domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101",
		Address: "何家集村三组", Description: "张家与李家因土地边界发生争执。", Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDType: "none", NoIDReason: "未带证件"}}})
	if err != nil {
		t.Fatal(err)
	}
	med.waitFor("the new-matters banner", `!document.querySelector("[data-new-cases]").hidden`)
	med.wantText("[data-new-cases]", "有新登记的事项，点击刷新")
	med.shot("live-banner")

	disp.open("/cases/" + strconv.FormatInt(c.ID, 10))
	disp.act("assess", map[string]string{"#risk": "none"})
	disp.act("dispatch", map[string]string{"#assignee-dispatch": "med1"})
	med.waitFor("the toast", `!!document.querySelector("[data-toasts] .toast")`)
	med.wantText("[data-toasts] .toast", "交办 · "+c.Number, "查看消息")
	med.wantText("[data-unread]", "1")
	if strings.Contains(med.text("[data-toasts]"), "张") {
		t.Fatal("the toast shows the parties")
	}
	med.shot("live-toast")
	// The banner reloads the list, which now shows the matter.
	med.submit("[data-new-cases] a")
	med.wantText("table", c.Number)
}
