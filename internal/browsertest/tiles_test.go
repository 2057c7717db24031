package browsertest_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service"
)

// The leader's dashboard, at both widths: 在办超期 and 告知/回访超期 are two
// tiles, each saying what it counts, and each leads to a list exactly as
// long as its figure; the periods compared are month to date and the same
// days of last month; a red matter is listed once.
func TestHonestTiles(t *testing.T) {
	t.Parallel()
	var late atomic.Bool // the matters were registered 18 days ago
	e := newEnvWith(t, func(svc *service.Service) {
		jftest.SeedTree(t, svc)
		past := time.Now().Add(-18 * 24 * time.Hour)
		svc.Store().SetClock(func() time.Time {
			if late.Load() {
				return time.Now()
			}
			return past
		})
		recep := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist)
		disp := jftest.MakeUser(t, svc, "disp", "610831", domain.RoleDispatcher)
		med := jftest.MakeUser(t, svc, "med1", "610831101", domain.RoleMediator)
		jftest.MakeUser(t, svc, "lead", "610831", domain.RoleLeader)
		in := domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101", Address: "何家集村三组",
			Description: "张家与李家因土地边界发生争执，李家扬言要毁坏青苗。", Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDType: "none", NoIDReason: "未带证件"}}}
		p := jftest.Path{Svc: svc, Recep: recep, Disp: disp, Med: med}
		p.Matter(t, in, jftest.Registered) // in hand, late
		p.Matter(t, in, jftest.Registered) // in hand, late
		p.Matter(t, in, jftest.Closed)     // informing late
		late.Store(true)
	})
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.name, func(t *testing.T) {
			tb := e.newTab(t, vp)
			tb.login("lead", jftest.Password)
			for _, tile := range []struct {
				kind, label, def string
				n                int
			}{{"open", "在办超期", "在办事项中当前环节已过期限的", 2}, {"followup", "告知/回访超期", "已办结，但告知（3个工作日）或回访（7日）已过期限", 1}} {
				tb.open("/dashboard")
				sel := fmt.Sprintf(`main a.stat[href$="overdue=%s"]`, tile.kind)
				tb.wantText(sel, tile.label, tile.def, fmt.Sprint(tile.n))
				if !eval[bool](tb, `(() => { const r = document.querySelector('`+sel+` .stat-d').getBoundingClientRect(); return r.width > 0 && r.right <= innerWidth })()`) {
					t.Errorf("%s: its definition is not on the screen", tile.label)
				}
				tb.submit(sel)
				if q := tb.location().Query(); q.Get("overdue") != tile.kind {
					t.Errorf("%s leads to %s", tile.label, tb.location())
				}
				if n := eval[int](tb, `document.querySelectorAll('main table tbody tr').length`); n != tile.n {
					t.Errorf("%s says %d, its list has %d", tile.label, tile.n, n)
				}
				tb.wantText("main .filter-chips", tile.label)
			}
			tb.open("/dashboard")
			tb.wantText("main", "本月至今与上月相同天数比较")
			// Each figure of the periods' table is named by its period: the
			// column's head, or on a phone (no heads) the cell's own label.
			unnamed := eval[int](tb, `(() => {
				const heads = document.querySelector('main table thead'), shown = heads && heads.getBoundingClientRect().height > 0;
				return [...document.querySelectorAll('main table tbody td')].filter(td => {
					const label = getComputedStyle(td, '::before').content;
					return !shown && !/本月至今|上月同期/.test(label);
				}).length })()`)
			if unnamed > 0 {
				t.Errorf("%d figures of the periods' table are not named by their period", unnamed)
			}
			if vp == desktop {
				tb.wantText("main table thead", "本月至今", "上月同期")
			}
			tb.shot("dashboard-tiles")
		})
	}
}
