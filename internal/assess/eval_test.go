package assess

import (
	"encoding/csv"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// The evaluation set (testdata/suggest at the repository's root): tune.csv
// may be looked at while writing rules; blind.csv is only ever measured.
func readSet(t testing.TB, name string) []row {
	f, err := os.Open("../../testdata/suggest/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []row
	for _, r := range recs[1:] {
		out = append(out, row{id: r[0], category: r[1], risk: r[2], text: r[3]})
	}
	return out
}

type row struct{ id, category, risk, text string }

// Figures of one evaluation.
type Figures struct {
	N          int
	Top1, Top3 float64
	PerCat     map[string][3]int // tp, fp, fn
	// Risk: caught = suggested at least the true colour (a red matter
	// suggested red; a yellow one yellow or red).
	RedN, RedCaught, RedExact       int
	YellowN, YellowCaught, YellowEx int
	OverGraded, Exact               int
	Confusion                       map[[2]string]int
}

func evaluate(e *Engine, rows []row) Figures {
	f := Figures{PerCat: map[string][3]int{}, Confusion: map[[2]string]int{}}
	var top1, top3 int
	for _, r := range rows {
		f.N++
		cs := e.Categories(r.text, 3)
		if cs[0].Code == r.category {
			top1++
			c := f.PerCat[r.category]
			c[0]++
			f.PerCat[r.category] = c
		} else {
			c := f.PerCat[cs[0].Code]
			c[1]++
			f.PerCat[cs[0].Code] = c
			c = f.PerCat[r.category]
			c[2]++
			f.PerCat[r.category] = c
		}
		for _, c := range cs {
			if c.Code == r.category {
				top3++
			}
		}
		got := e.Risk(RiskInput{Text: r.text}).Color
		f.Confusion[[2]string{r.risk, got}]++
		if got == r.risk {
			f.Exact++
		} else if Severity(got) > Severity(r.risk) {
			f.OverGraded++
		}
		switch r.risk {
		case "red":
			f.RedN++
			if got == "red" {
				f.RedCaught++
				f.RedExact++
			}
		case "yellow":
			f.YellowN++
			if Severity(got) >= Severity("yellow") {
				f.YellowCaught++
			}
			if got == "yellow" {
				f.YellowEx++
			}
		}
	}
	f.Top1 = float64(top1) / float64(f.N)
	f.Top3 = float64(top3) / float64(f.N)
	return f
}

func (f Figures) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "matters %d; category top-1 %.1f%%, top-3 %.1f%%\n", f.N, 100*f.Top1, 100*f.Top3)
	fmt.Fprintf(&b, "risk: red recall %d/%d = %.1f%%; yellow recall (yellow or red) %d/%d = %.1f%% (exactly yellow %d); exact colour %.1f%%, over-graded %.1f%%\n",
		f.RedCaught, f.RedN, pct(f.RedCaught, f.RedN), f.YellowCaught, f.YellowN, pct(f.YellowCaught, f.YellowN), f.YellowEx,
		pct(f.Exact, f.N), pct(f.OverGraded, f.N))
	fmt.Fprintf(&b, "risk confusion (true → suggested):")
	for _, t := range []string{"red", "yellow", "blue", "none"} {
		fmt.Fprintf(&b, " %s[", t)
		for _, g := range []string{"red", "yellow", "blue", "none"} {
			fmt.Fprintf(&b, " %d", f.Confusion[[2]string{t, g}])
		}
		b.WriteString(" ]")
	}
	b.WriteString("\n")
	var cats []string
	for c := range f.PerCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	fmt.Fprintf(&b, "%-16s %9s %7s %5s\n", "category", "precision", "recall", "n")
	for _, c := range cats {
		v := f.PerCat[c]
		fmt.Fprintf(&b, "%-16s %8.0f%% %6.0f%% %5d\n", c, pct(v[0], v[0]+v[1]), pct(v[0], v[0]+v[2]), v[0]+v[2])
	}
	return b.String()
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func riskDocs(rows []row) []Doc {
	out := make([]Doc, len(rows))
	for i, r := range rows {
		out[i] = Doc{Text: r.text, Label: r.risk}
	}
	return out
}

// engine builds what production builds: rules, a category model and a
// colour model, both trained on rows.
func engine(rows []row) *Engine {
	return New(Default(), Train(Default(), docs(rows))).WithRisk(TrainRisk(Default(), riskDocs(rows)))
}

func docs(rows []row) []Doc {
	out := make([]Doc, len(rows))
	for i, r := range rows {
		out[i] = Doc{Text: r.text, Label: r.category}
	}
	return out
}

// crossValidate measures the tuning part fairly: each tenth is scored by a
// model trained on the other nine.
func crossValidate(rows []row, k int) Figures {
	var all Figures
	all.PerCat, all.Confusion = map[string][3]int{}, map[[2]string]int{}
	var top1, top3 float64
	for fold := range k {
		var train, test []row
		for i, r := range rows {
			if i%k == fold {
				test = append(test, r)
			} else {
				train = append(train, r)
			}
		}
		f := evaluate(engine(train), test)
		all.N += f.N
		top1 += f.Top1 * float64(f.N)
		top3 += f.Top3 * float64(f.N)
		for c, v := range f.PerCat {
			a := all.PerCat[c]
			all.PerCat[c] = [3]int{a[0] + v[0], a[1] + v[1], a[2] + v[2]}
		}
		for c, v := range f.Confusion {
			all.Confusion[c] += v
		}
		all.RedN += f.RedN
		all.RedCaught += f.RedCaught
		all.RedExact += f.RedExact
		all.YellowN += f.YellowN
		all.YellowCaught += f.YellowCaught
		all.YellowEx += f.YellowEx
		all.Exact += f.Exact
		all.OverGraded += f.OverGraded
	}
	all.Top1, all.Top3 = top1/float64(all.N), top3/float64(all.N)
	return all
}

// The targets, which the blind part must meet: the test fails
// below them. (Measured 2026-11-25: top-1 90.7 %, red 96.7 %, yellow
// 97.4 %; the margin on red is one matter.)
const (
	targetTop1, targetRecall = 0.85, 95.0
)

// TestEvaluation is the benchmark of issue 5, run in CI: it fails when the
// blind part falls below the targets (top-1 category ≥ 85 %, red and
// yellow recall ≥ 95 %). Run with -v to see the figures (they are copied
// into docs/ASSESSMENT.md).
func TestEvaluation(t *testing.T) {
	var tune []row
	for _, f := range []string{"tune.csv", "tune2.csv", "tune3.csv", "tune4.csv", "tune5.csv"} {
		tune = append(tune, readSet(t, f)...)
	}
	blind := readSet(t, "blind.csv")
	if len(tune) < 1100 || len(blind) < 150 {
		t.Fatalf("evaluation set too small: %d + %d", len(tune), len(blind))
	}
	cv := crossValidate(tune, 10)
	t.Logf("tuning part, 10-fold cross-validation:\n%s", cv)
	kw := evaluate(New(Default(), nil), blind)
	t.Logf("blind part, rules alone (no model):\n%s", kw)
	f := evaluate(engine(tune), blind)
	t.Logf("blind part, rules + models trained on the tuning part:\n%s", f)
	red, yellow := pct(f.RedCaught, f.RedN), pct(f.YellowCaught, f.YellowN)
	if f.Top1 < targetTop1 {
		t.Errorf("blind top-1 category accuracy %.1f%% < %.0f%%", 100*f.Top1, 100*targetTop1)
	}
	if red < targetRecall || yellow < targetRecall {
		t.Errorf("blind recall red %.1f%% / yellow %.1f%% < %.0f%%", red, yellow, targetRecall)
	}
}
