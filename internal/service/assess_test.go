package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"jiefen/internal/assess"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

func reasonsText(rs []assess.Reason) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "；")
	}
	return b.String()
}

// Suggestions on both engines: from the text, from the parties' history (by
// blind index) and the village's recent red matters; recorded on the
// timeline as followed or overridden; rules edited by a county
// administrator only, versioned, and used at once.
func TestSuggestions(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		ctx := as(e.recep)

		in := landCase("610831101200")
		in.Description = "王某与丈夫闹离婚，为两个孩子的抚养权争执不下。"
		in.AmountYuan, in.PeopleCount = 0, 0
		sug, err := e.svc.Suggest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if sug.Category.Code != "marriage" || sug.Category.Name != "婚姻家庭纠纷" || !strings.Contains(reasonsText(sug.Category.Reasons), "离婚") {
			t.Fatalf("category suggestion %+v", sug.Category)
		}
		if sug.Risk.Color != "none" || len(sug.Risk.Reasons) != 0 {
			t.Fatalf("a calm first matter graded %+v", sug.Risk)
		}
		// Nothing was saved by asking.
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM cases`); err != nil || n != 0 {
			t.Fatalf("suggest saved %d matters (%v)", n, err)
		}
		if _, err := e.svc.Suggest(ctx, domain.CaseInput{}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("empty description: %v", err)
		}
		if _, err := e.svc.Suggest(as(e.med), in); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a mediator asked for registration suggestions: %v", err)
		}

		// Threat words and figures.
		in.Description = "男方喝酒后扬言要和女方同归于尽，涉及彩礼二十万元。"
		sug, _ = e.svc.Suggest(ctx, in)
		if sug.Risk.Color != "red" || !strings.Contains(reasonsText(sug.Risk.Reasons), "同归于尽") || !strings.Contains(reasonsText(sug.Risk.Reasons), "二十万元") {
			t.Fatalf("threat graded %+v", sug.Risk)
		}

		// History: the same ID number in two earlier matters makes a repeat
		// dispute; a red matter in the village is a neighbourhood signal.
		first, err := e.svc.RegisterCase(ctx, landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		act(t, e, e.disp, first.ID, "assess", casework.ActionInput{Risk: "red"})
		second, err := e.svc.RegisterCase(ctx, landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		in = landCase("610831101200")
		in.Description, in.AmountYuan, in.PeopleCount = "两家为地畔又起争执。", 0, 0
		sug, _ = e.svc.Suggest(ctx, in)
		why := reasonsText(sug.Risk.Reasons)
		if sug.Risk.Color != "yellow" || !strings.Contains(why, "张建军此前涉及2件") || !strings.Contains(why, "同村近90天红色矛盾1件") {
			t.Fatalf("history graded %s: %s", sug.Risk.Color, why)
		}
		// For a registered matter, the matter itself does not count.
		s2, err := e.svc.SuggestForCase(as(e.disp), second.ID)
		if err != nil || !strings.Contains(reasonsText(s2.Risk.Reasons), "张建军此前涉及1件") {
			t.Fatalf("second matter's history: %v %+v", err, s2)
		}
		if _, err := e.svc.SuggestForCase(as(e.shy), second.ID); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("a dispatcher of another township saw the suggestions: %v", err)
		}

		// Assessing records the suggestion and the choice. The registered
		// sub-category-free "land" matches the suggested land: followed; the
		// risk is overridden.
		c := act(t, e, e.disp, second.ID, "assess", casework.ActionInput{Risk: "blue", Version: 1})
		ev := c.Timeline[len(c.Timeline)-1]
		if ev.Data[domain.DataSuggestedCategory] != "land" || ev.Data[domain.DataCategoryChoice] != "accepted" ||
			ev.Data[domain.DataSuggestedRisk] != s2.Risk.Color || ev.Data[domain.DataRiskChoice] != "overridden" {
			t.Fatalf("assess event data %v (suggested %s)", ev.Data, s2.Risk.Color)
		}

		// Rules: only a county administrator edits; every version is kept;
		// a stale version is a conflict; bad rules are refused whole.
		admin := jftest.MakeUser(t, e.svc, "cadmin", "610831", domain.RoleAdmin)
		townAdmin := jftest.MakeUser(t, e.svc, "tadmin", "610831101", domain.RoleAdmin)
		if _, _, err := e.svc.AssessRules(as(townAdmin)); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("township admin read the county's rules: %v", err)
		}
		cfg, v, err := e.svc.AssessRules(as(admin))
		if err != nil || v != 0 || len(cfg.Triggers) == 0 {
			t.Fatalf("defaults: v%d %v", v, err)
		}
		// Editing the copy and failing to save changes nothing in force.
		spoiled, _, err := e.svc.AssessRules(as(admin))
		if err != nil {
			t.Fatal(err)
		}
		for i := range spoiled.Triggers {
			spoiled.Triggers[i].Words, spoiled.Triggers[i].Color = nil, "purple"
		}
		if _, err := e.svc.SaveAssessRules(as(admin), 0, spoiled, "x"); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("spoiled rules saved: %v", err)
		}
		if s, _ := e.svc.Suggest(ctx, domain.CaseInput{Description: "他扬言要拿刀砍死对方，家里人很害怕。"}); s.Risk.Color != "red" {
			t.Fatalf("a refused edit changed the rules in force: %s", s.Risk.Color)
		}
		// A village outside the asker's jurisdiction tells nothing.
		other := jftest.MakeUser(t, e.svc, "recep2", "610831001", domain.RoleReceptionist)
		if s, err := e.svc.Suggest(as(other), domain.CaseInput{Description: "两家为地畔又起争执，要求重新划界。", OrgCode: "610831101200"}); err != nil || strings.Contains(reasonsText(s.Risk.Reasons), "同村") {
			t.Fatalf("red matters of another township's village counted: %+v (%v)", s.Risk, err)
		}
		cfg.Triggers = append(cfg.Triggers, assess.Trigger{Code: "livestock", Name: "牲畜走失", Color: "blue", Kind: "words", Words: []string{"羊丢了"}})
		v1, err := e.svc.SaveAssessRules(as(admin), 0, cfg, "加一条")
		if err != nil || v1 != 1 {
			t.Fatalf("save: %d %v", v1, err)
		}
		if _, err := e.svc.SaveAssessRules(as(admin), 0, cfg, "stale"); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("stale save: %v", err)
		}
		bad := cfg
		bad.Triggers = append(append([]assess.Trigger{}, cfg.Triggers...), assess.Trigger{Code: "x", Color: "purple", Kind: "words", Words: []string{"a"}})
		if _, err := e.svc.SaveAssessRules(as(admin), 1, bad, ""); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("purple trigger: %v", err)
		}
		in.Description = "羊丢了，邻居说没看见。"
		sug, _ = e.svc.Suggest(ctx, in)
		if !strings.Contains(reasonsText(sug.Risk.Reasons), "牲畜走失") || sug.ConfigVersion != 1 {
			t.Fatalf("new rule not used: %+v", sug)
		}
		if n, _ := jftest.Count(st, `SELECT COUNT(*) FROM assess_config`); n != 1 {
			t.Fatalf("versions kept: %d", n)
		}
		if n, _ := jftest.Count(st, `SELECT COUNT(*) FROM audit_log WHERE action = 'assess.rules'`); n != 1 {
			t.Fatalf("rule edits audited: %d", n)
		}
		b, _ := json.Marshal(sug)
		if !strings.Contains(string(b), `"color":"`) {
			t.Fatalf("json %s", b)
		}
		_ = context.Background()
	})
}
