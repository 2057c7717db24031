package service_test

import (
	"slices"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// 我的任务: the matters waiting for a mediator (to sign, to resolve, a
// supervision to answer, to inform, co-handled) and for a grid worker (under
// watch, a visit due), the late ones first; nobody else's.
func TestTasks(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2026, 11, 2, 9, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		p := e.path("blue")
		resolve := p.Matter(t, landCase("610831101"), jftest.Signed)
		sign := p.Matter(t, landCase("610831101"), jftest.Dispatched)
		inform := p.Matter(t, landCase("610831101"), jftest.Closed)
		reply := p.Matter(t, landCase("610831101"), jftest.Signed)
		act(t, e, e.leader, reply.ID, "supervise", casework.ActionInput{Note: "请加快进度", Due: clock.Add(72 * time.Hour)})
		p2 := p
		p2.Med = e.med2
		cohandled := p2.Matter(t, landCase("610831101"), jftest.Signed)
		act(t, e, e.med2, cohandled.ID, "cohandle", casework.ActionInput{Assignee: "med1", Note: "负责联系李家"})
		others := p2.Matter(t, landCase("610831101"), jftest.Signed)
		watched := p.Matter(t, landCase("610831101200001"), jftest.Informed)
		act(t, e, e.disp, watched.ID, "watch", casework.ActionInput{Assignee: "grid1", Days: 30})

		tasks := func(u *domain.User) (ids []int64, kinds []string, list []casework.Task) {
			t.Helper()
			list, err := e.svc.Tasks(as(u))
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range list {
				ids, kinds = append(ids, k.ID), append(kinds, k.Number+":"+k.Kind)
			}
			return ids, kinds, list
		}
		want := map[int64]string{sign.ID: "to_sign", resolve.ID: "to_resolve", reply.ID: "to_reply", inform.ID: "to_inform", cohandled.ID: "cohandling"}
		ids, kinds, list := tasks(e.med)
		if len(list) != len(want) || slices.Contains(ids, others.ID) || slices.Contains(ids, watched.ID) {
			t.Fatalf("mediator's tasks %v, want the matters %v", kinds, want)
		}
		for _, k := range list {
			if want[k.ID] != k.Kind || k.Title == "" || k.OrgName == "" || k.Due.IsZero() {
				t.Fatalf("task %+v, want kind %s with a title, a place and a date", k, want[k.ID])
			}
		}
		if !slices.IsSortedFunc(list, func(a, b casework.Task) int { return a.Urgency - b.Urgency }) {
			t.Fatalf("not the most urgent first: %+v", list)
		}

		// Long after: everything is late; what blocks others comes first.
		clock = clock.AddDate(0, 4, 0)
		_, _, list = tasks(e.med)
		var order []string
		for _, k := range list {
			if !k.Late() {
				t.Fatalf("four months on, %+v is not late", k)
			}
			order = append(order, k.Kind)
		}
		if !slices.Equal(order, []string{"to_sign", "to_reply", "to_inform", "to_resolve", "cohandling"}) {
			t.Fatalf("late tasks in the order %v", order)
		}

		// The grid worker: the watched matter, its visit due once the check-in date has come.
		clock = time.Date(2026, 11, 3, 9, 0, 0, 0, domain.CST)
		_, kinds, list = tasks(e.grid)
		if len(list) != 1 || list[0].ID != watched.ID || list[0].Kind != "watched" || list[0].Urgency != 2 {
			t.Fatalf("grid worker's tasks %v %+v, want the watched matter", kinds, list)
		}
		clock = clock.AddDate(0, 0, 40)
		if _, _, list = tasks(e.grid); len(list) != 1 || list[0].Kind != "checkin" || !list[0].Late() {
			t.Fatalf("a visit past its date: %+v", list)
		}
		act(t, e, e.disp, watched.ID, "unwatch", casework.ActionInput{Reason: "当事人已起诉"})
		if _, kinds, _ = tasks(e.grid); len(kinds) != 0 {
			t.Fatalf("no longer watched, still listed: %v", kinds)
		}
		// Once answered and informed, the kinds follow.
		act(t, e, e.med, reply.ID, "reply", casework.ActionInput{Note: "已约定本周五调解"})
		act(t, e, e.med, inform.ID, "inform", casework.ActionInput{Method: "phone"})
		ids, _, list = tasks(e.med)
		if slices.Contains(ids, inform.ID) || list[slices.Index(ids, reply.ID)].Kind != "to_resolve" {
			t.Fatalf("after the reply and informing: %+v", list)
		}
	})
}
