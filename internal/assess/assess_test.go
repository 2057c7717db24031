package assess

import (
	"strings"
	"testing"
)

func TestKeywordsAlone(t *testing.T) {
	e := New(Default(), nil)
	cs := e.Categories("王某要求与丈夫离婚", 3)
	if cs[0].Code != "marriage" || cs[0].Confidence != 1 || !strings.Contains(cs[0].Reasons[0].Text, "离婚") {
		t.Fatalf("one category matched: %+v", cs[0])
	}
	cs = e.Categories("今天天气不错", 3)
	if cs[0].Code != "other" || cs[0].Confidence != 0 {
		t.Fatalf("nothing matched: %+v", cs[0])
	}
}

func TestRiskTriggers(t *testing.T) {
	e := New(Default(), nil)
	for _, c := range []struct {
		text, color, want string
	}{
		{"两家为地畔争吵。", "blue", "情绪激动"},
		{"八十多户村民聚集在镇政府门口。", "red", "涉及30人（户）以上：八十多户"},
		{"他说农药已经买好了。下午去找对方喝。", "none", ""}, // 农药 and 喝 in different sentences: no self-harm
		{"他说不给钱就把农药喝了。", "red", "农药…喝"},
		{"拖欠十五户农户的货款十二万元，已经是第三次来访。", "yellow", "第三次"},
		{"邻居家狗咬伤了他八岁的儿子。", "yellow", "八岁"},
		{"两人协商还款事宜。", "none", ""},
	} {
		r := e.Risk(RiskInput{Text: c.text})
		var why []string
		for _, x := range r.Reasons {
			why = append(why, x.Text)
		}
		if r.Color != c.color || !strings.Contains(strings.Join(why, "；"), c.want) {
			t.Errorf("%s → %s %v; want %s with %q", c.text, r.Color, why, c.color, c.want)
		}
	}
	// Of the same measure only the highest threshold is given as a reason.
	r := e.Risk(RiskInput{Text: "涉及四十余户。"})
	if len(r.Reasons) != 1 {
		t.Fatalf("people thresholds repeated: %+v", r.Reasons)
	}
	// Registered figures count as well as the text's.
	if r := e.Risk(RiskInput{Text: "欠款纠纷。", AmountYuan: 2e6}); r.Color != "red" {
		t.Fatalf("registered amount ignored: %+v", r)
	}
}
