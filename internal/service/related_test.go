package service_test

import (
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

func reasonsOf(rs []domain.Related, number string) string {
	for _, r := range rs {
		if r.Number == number {
			return strings.Join(r.Reasons, "；")
		}
	}
	return ""
}

// Related matters on both engines: each kind of link is found (same ID
// number, same phone, same name in the village, same address, similar
// description), nothing outside the jurisdiction leaks, linking and merging
// keep both timelines, and a merged duplicate is closed as merged.
func TestRelatedMatters(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		ctx := as(e.recep)
		reg := func(in domain.CaseInput) *domain.Case {
			t.Helper()
			c, err := e.svc.RegisterCase(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		party := func(name, id, phone string) domain.Party {
			p := domain.Party{Role: "applicant", Name: name, IDNumber: id, Phone: phone}
			if id == "" {
				p.IDType, p.NoIDReason = "none", "未带证件"
			}
			return p
		}
		base := domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101200"}
		withID := base
		withID.Description, withID.Address, withID.Parties = "两家为院墙滴水的事多次争吵。", "何家集村一组", []domain.Party{party("张建军", testID, "")}
		a := reg(withID)
		withPhone := base
		withPhone.Description, withPhone.Address, withPhone.Parties = "借款到期后一直未还，要求归还。", "何家集村五组", []domain.Party{party("王五", "", "13912345678")}
		b := reg(withPhone)
		byName := base
		byName.Description, byName.Address, byName.Parties = "两家耕地边界不清，发生争执。", "何家集村六组", []domain.Party{party("李秀梅", "", "")}
		cName := reg(byName)
		byAddr := base
		byAddr.Description, byAddr.Address, byAddr.Parties = "楼上自来水管漏水泡坏了屋顶。", "何家集村九组18号", []domain.Party{party("赵六", "", "")}
		d := reg(byAddr)
		similar := base
		similar.Description, similar.Address, similar.Parties = "马某与邻居贺某因窑洞前排水沟改道多次争吵，要求恢复原排水沟。", "何家集村三组", []domain.Party{party("马某", "", "")}
		f := reg(similar)
		// Another township: never shown to a dispatcher of 何家集镇.
		far := base
		far.OrgCode, far.Description, far.Address, far.Parties = "610831001", "两家为院墙滴水的事多次争吵。", "双湖峪", []domain.Party{party("张建军", testID, "")}
		g := reg(far)

		probe := base
		probe.Description = "贺某与马某因窑洞前的排水沟改道再次争吵，要求恢复排水沟原状。"
		probe.Address = "何家集村九组18号"
		probe.Parties = []domain.Party{party("张建军", testID, ""), party("王五", "", "139 1234 5678"), party("李秀梅", "", "")}
		shy := jftest.MakeUser(t, e.svc, "shyrecep", "610831101", domain.RoleReceptionist)
		sug, err := e.svc.Suggest(as(shy), probe)
		if err != nil {
			t.Fatal(err)
		}
		for number, want := range map[string]string{a.Number: "同一当事人身份证号", b.Number: "同一当事人电话", cName.Number: "同村同名当事人：李秀梅",
			d.Number: "同一地址：何家集村九组18号", f.Number: "事由相似"} {
			if got := reasonsOf(sug.Related, number); !strings.Contains(got, want) {
				t.Errorf("%s: reasons %q, want %q", number, got, want)
			}
		}
		if reasonsOf(sug.Related, g.Number) != "" {
			t.Errorf("a matter outside the jurisdiction was shown: %+v", sug.Related)
		}
		// Nor counted: the township clerk learns of one earlier matter for
		// this ID number, the county clerk of two.
		if why := reasonsText(sug.Risk.Reasons); !strings.Contains(why, "张建军此前涉及1件") {
			t.Errorf("township clerk's repeat count: %s", why)
		}
		// The county receptionist sees the other township's matter too.
		sug, _ = e.svc.Suggest(ctx, probe)
		if !strings.Contains(reasonsOf(sug.Related, g.Number), "身份证号") {
			t.Errorf("county view misses %s: %+v", g.Number, sug.Related)
		}
		if why := reasonsText(sug.Risk.Reasons); !strings.Contains(why, "张建军此前涉及2件") {
			t.Errorf("county clerk's repeat count: %s", why)
		}

		// Per person: the ID number has been in three matters.
		dup := reg(withID)
		counts, err := e.svc.PartyCounts(as(e.disp), dup.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range counts {
			if n != 3 {
				t.Errorf("party count %d, want 3 (a, g and this one)", n)
			}
		}
		rel, _, err := e.svc.RelatedForCase(as(e.disp), dup.ID)
		if err != nil || !strings.Contains(reasonsOf(rel, a.Number), "身份证号") || !strings.Contains(reasonsOf(rel, a.Number), "事由相似") {
			t.Fatalf("related for the duplicate: %v %+v", err, rel)
		}

		// Link b to a; merge dup into a.
		if _, err := e.svc.Act(as(e.disp), b.ID, "link", casework.ActionInput{Target: "ZZ0000"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("link to nothing: %v", err)
		}
		if _, err := e.svc.Act(as(e.disp), b.ID, "link", casework.ActionInput{Target: b.Number}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("link to itself: %v", err)
		}
		if _, err := e.svc.Act(as(e.shy), g.ID, "link", casework.ActionInput{Target: a.Number}); err == nil {
			t.Fatal("a dispatcher linked a matter outside their jurisdiction")
		}
		act(t, e, e.disp, b.ID, "link", casework.ActionInput{Target: a.Number, Note: "同一家人"})
		merged := act(t, e, e.disp, dup.ID, "merge", casework.ActionInput{Target: a.Number, Reason: "同一纠纷重复登记"})
		if merged.Status != domain.StatusClosed || merged.Outcome != domain.OutcomeMerged || !merged.StepDueAt.IsZero() {
			t.Fatalf("merged: %s %s due %v", merged.Status, merged.Outcome, merged.StepDueAt)
		}
		orig, _ := e.svc.Case(as(e.disp), a.ID)
		var sawLink, sawMerge bool
		for _, ev := range orig.Timeline {
			sawLink = sawLink || (ev.Action == "linked" && ev.Data[domain.DataTarget] == b.Number)
			sawMerge = sawMerge || (ev.Action == "merged_in" && ev.Data[domain.DataTarget] == dup.Number)
		}
		if !sawLink || !sawMerge {
			t.Fatalf("original's timeline lacks the link (%v) or the merge (%v)", sawLink, sawMerge)
		}
		_, links, _ := e.svc.RelatedForCase(as(e.disp), a.ID)
		kinds := map[string]string{}
		for _, l := range links {
			kinds[l.Number] = l.Kind
		}
		if kinds[b.Number] != "related" || kinds[dup.Number] != "original" {
			t.Fatalf("links of the original: %v", kinds)
		}
		if _, err := e.svc.Act(as(e.disp), b.ID, "merge", casework.ActionInput{Target: dup.Number, Reason: "x"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("merge into a merged matter: %v", err)
		}
		// A link across townships is not shown to the other township.
		act(t, e, e.disp, g.ID, "link", casework.ActionInput{Target: a.Number, Note: "同一当事人"})
		_, gl, err := e.svc.RelatedForCase(as(e.shy), g.ID)
		if err != nil || len(gl) != 0 {
			t.Fatalf("another township's linked matter shown: %v %+v", err, gl)
		}
		if _, gl, _ := e.svc.RelatedForCase(as(e.disp), g.ID); len(gl) != 1 {
			t.Fatalf("county view of the link: %+v", gl)
		}
	})
}

// A matter registered twice is caught while the second is typed, before its
// place is chosen (or when it is the county itself): descriptions, names and
// the address are then compared within the clerk's jurisdiction, and
// nothing outside it is shown.
func TestRelatedBeforeThePlaceIsKnown(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		in := domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101200", Address: "何家集村二组",
			Description: "刘某与邻居因宅基地界线发生争执，双方互不相让。",
			Parties:     []domain.Party{{Role: "applicant", Name: "刘建国", IDType: "none", NoIDReason: "未带证件"}}}
		a, err := e.svc.RegisterCase(as(e.recep), in)
		if err != nil {
			t.Fatal(err)
		}
		other := jftest.MakeUser(t, e.svc, "shyrecep", "610831001", domain.RoleReceptionist)
		for _, org := range []string{"", "610831", "610831101"} {
			probe := in
			probe.OrgCode, probe.Address = org, ""
			sug, err := e.svc.Suggest(as(e.recep), probe)
			if err != nil {
				t.Fatal(err)
			}
			got := reasonsOf(sug.Related, a.Number)
			if !strings.Contains(got, "同名当事人：刘建国") || !strings.Contains(got, "事由相似") || strings.Contains(got, "同村") {
				t.Errorf("place %q: reasons %q", org, got)
			}
			var kinds []string
			for _, w := range sug.Related[0].Why {
				kinds = append(kinds, w.Kind+"="+w.Detail)
			}
			if k := strings.Join(kinds, " "); !strings.Contains(k, "name=刘建国") || !strings.Contains(k, "similar=1.00") {
				t.Errorf("place %q: coded reasons %q", org, k)
			}
			if sug, _ = e.svc.Suggest(as(other), probe); reasonsOf(sug.Related, a.Number) != "" {
				t.Errorf("place %q: another township's clerk was shown %s", org, a.Number)
			}
		}
	})
}
