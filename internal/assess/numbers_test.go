package assess

import "testing"

func TestCNNumber(t *testing.T) {
	for in, want := range map[string]float64{
		"三十": 30, "十二": 12, "一百八十": 180, "三百二十": 320, "十八万八千": 188000, "十八万八千八百": 188800, "两": 2, "十几": 15, "几十": 30,
		"120": 120, "1.5": 1.5, "一千二百": 1200, "二十": 20, "五": 5, "一百零五": 105, "三百": 300, "四五十": 50, "十五六": 16, "百十": 110, "好几": 5, "一万二": 12000, "三千五": 3500, "一万九千八": 19800, "两百五": 250,
	} {
		if got, ok := cnNumber(in); !ok || got != want {
			t.Errorf("cnNumber(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := cnNumber("车"); ok {
		t.Error("a non-number read as one")
	}
}

func TestFigures(t *testing.T) {
	for _, c := range []struct {
		text   string
		people int
		yuan   float64
		visit  int
	}{
		{"三十余户枣农的红枣后一直未付款，欠款二十多万元", 30, 200000, 0},
		{"拖欠二十多个班组的农民工工资，涉及金额120万元", 0, 1200000, 0},
		{"四十多名民工已经在商量包车去市里", 40, 0, 0},
		{"彩礼十八万八千元，女方只肯退一半", 0, 188000, 0},
		{"第三次来访：工头欠他工资八千五百元", 0, 8500, 3},
		{"上百户业主联名", 100, 0, 0},
		{"七十六岁的冯某某老人独自住", 0, 0, 0},
		{"借给同村李某四千元", 0, 4000, 0},
		{"已经是第５次来了，80多名工人", 80, 0, 5},
		{"工程款还差两百多万，开发商拿房子抵账", 0, 2000000, 0},
		{"两边又各招呼了百十号人", 110, 0, 0},
		{"十几个年轻妈妈来访，充了好几千块", 15, 3000, 0},
		{"这事前前后后反映了三四回，修了好几回", 0, 0, 4},
		{"能卖四五十万，跑了好几趟", 0, 500000, 5},
	} {
		if n, _ := maxPeople(c.text); n != c.people {
			t.Errorf("people in %q = %d, want %d", c.text, n, c.people)
		}
		if y, _ := maxAmount(c.text); y != c.yuan {
			t.Errorf("amount in %q = %v, want %v", c.text, y, c.yuan)
		}
		if v, _ := maxVisit(c.text); v != c.visit {
			t.Errorf("visit in %q = %d, want %d", c.text, v, c.visit)
		}
	}
}
