package chart

import (
	"encoding/xml"
	"strings"
	"testing"
)

// A chart is well-formed SVG with a title, a text alternative naming every
// value, and each value written as text (not told by colour alone).
func TestChartsAreAccessible(t *testing.T) {
	items := []Item{{Label: "何家集镇", Value: 12}, {Label: "双湖峪街道<办>", Value: 3.5, Text: "3.5%", Href: "/x?a=1&b=2"}, {Label: "老君殿镇", Value: 0}}
	for name, svg := range map[string]string{"bars": string(Bars("b1", "各乡镇登记数", items)), "columns": string(Columns("c1", "逐月登记数", items))} {
		if err := xml.Unmarshal([]byte(svg), new(struct{ XMLName xml.Name })); err != nil {
			t.Fatalf("%s: not well-formed: %v\n%s", name, err, svg)
		}
		for _, want := range []string{`role="group"`, "<title", "<desc", "何家集镇 12；双湖峪街道&lt;办&gt; 3.5%；老君殿镇 0", ">12</text>", ">3.5%</text>", `href="/x?a=1&amp;b=2" aria-label="双湖峪街道&lt;办&gt; 3.5%"`} {
			if !strings.Contains(svg, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	// Without links a chart is one image; with them a group whose links a
	// screen reader reaches (an image's content is hidden from it).
	if svg := string(Bars("b2", "t", []Item{{Label: "a", Value: 1}})); !strings.Contains(svg, `role="img"`) {
		t.Errorf("a chart without links is not an image: %s", svg)
	}
	if top := Top(items, 2); len(top) != 2 || top[0].Value != 12 || top[1].Value != 3.5 {
		t.Errorf("top %v", top)
	}
	if got := clip("一二三四五六七八九十", 9); got != "一二三四五六七八…" {
		t.Errorf("clip %q", got)
	}
}
