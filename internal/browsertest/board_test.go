package browsertest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// The big screen of the command centre.
var bigScreen = viewport{name: "1920", w: 1920, h: 1080}

// The board, left open on the big screen, shows a matter registered in
// another session (the receptionist's form) without a reload, and fits
// one 1920×1080 screen.
func TestBoardShowsNewMattersLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	jftest.MakeUser(t, e.svc, "lead", "610831", domain.RoleLeader)
	board, recep := e.newTab(t, bigScreen), e.newTab(t, desktop)
	board.login("lead", jftest.Password)
	recep.login("recep", jftest.Password)
	board.open("/board")
	board.wantText("body", "指挥中心", "在办事项", "红色事项及牵头领导", "本月关键指标", "近12个月登记数")
	if h := eval[int](board, `document.documentElement.scrollHeight`); h > 1080 {
		t.Errorf("the board is %d px high on a 1080 px screen", h)
	}
	eval[bool](board, `window.__stillHere = true`)
	before := eval[string](board, `document.querySelector('[data-k="today_registered"]').textContent`)

	recep.open("/cases/new")
	recep.set(map[string]string{"#category": "land_contract", "#org_code": "610831101200", "#address": "何家集村三组",
		"#description": "张建军与李保国因承包地边界发生争执，李保国扬言要毁坏青苗。", "#p0_name": "张建军", "#p0_id": "610831199003070024", "#p1_name": "李保国"})
	recep.submit(`form[action="/cases"] button[type=submit]`)
	number := strings.TrimSpace(eval[string](recep, `(document.body.innerText.match(/ZZ\d{10}/) || [""])[0]`))
	if number == "" {
		t.Fatalf("no number after registering: %.300s", recep.text("main"))
	}
	board.waitFor("the new matter on the board", `!!document.querySelector('[data-latest] li[data-number="`+number+`"]')`)
	if !eval[bool](board, `window.__stillHere === true`) {
		t.Fatal("the board reloaded")
	}
	if after := eval[string](board, `document.querySelector('[data-k="today_registered"]').textContent`); after == before {
		t.Errorf("registered today still %s", after)
	}
	row := eval[string](board, `document.querySelector('[data-latest] li[data-number="`+number+`"]').innerText`)
	if !strings.Contains(row, "土地") || strings.Contains(row, "张建军") {
		t.Errorf("the board's row %q (category shown, no names)", row)
	}
	if e.shots != "" {
		png, err := chromedp.Run(board.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.shots, "board-1920.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The personal dashboard of the same leader.
	board.open("/dashboard")
	board.wantText("main", "数据看板", "我牵头的事项", "我发出的督办")
	board.shot("dashboard")
}
