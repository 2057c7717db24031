// Package assess suggests, for a matter being assessed (分析研判), its
// category and its risk colour, each with the reasons that produced it.
// Everything here is explainable: keyword dictionaries and risk triggers
// that an administrator edits (Config), and a small naive Bayes model over
// character bigrams trained on the centre's own past matters (Model). It
// reads nothing from the database; the service passes in what it needs.
package assess

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Reason is one piece of evidence behind a suggestion.
type Reason struct {
	Kind string `json:"kind"` // keyword, model, trigger
	Rule string `json:"rule"` // the trigger's or category's code
	Text string `json:"text"` // what a dispatcher reads
}

// CategoryScore is a category with its confidence (0–1) and reasons.
type CategoryScore struct {
	Code       string   `json:"code"`
	Confidence float64  `json:"confidence"`
	Reasons    []Reason `json:"reasons"`
}

// RiskInput is what the risk rules look at.
type RiskInput struct {
	Text        string
	PeopleCount int     // as registered (0: unknown)
	AmountYuan  float64 // as registered
	// PriorMatters is the largest number of earlier matters any party of
	// this one has been party to; PriorWho names that party (masked).
	PriorMatters int
	PriorWho     string
	// VillageRed counts red matters in the same village in the last 90 days.
	VillageRed int
}

// Risk is a suggested colour with every trigger that fired.
type Risk struct {
	Color   string   `json:"color"`
	Reasons []Reason `json:"reasons"`
}

// Engine holds one configuration and its models.
type Engine struct {
	cfg       Config
	model     *Model
	riskModel *Model
	riskMin   float64
}

// riskThreshold is how sure the colour model must be before it raises the
// rules' colour (chosen by cross-validation on the tuning part).
const riskThreshold = 0.5

// WithRisk adds a colour model: it may raise the colour the rules give (never
// lower it) when it is at least riskThreshold sure of a higher one.
func (e *Engine) WithRisk(m *Model) *Engine {
	e.riskModel, e.riskMin = m, riskThreshold
	return e
}

// New returns an engine; model may be nil (keywords only).
func New(cfg Config, model *Model) *Engine { return &Engine{cfg: cfg, model: model} }

// keywordWeight is what one dictionary hit adds to a category's log-score;
// at most maxHits count.
const (
	keywordWeight = 2.0
	maxHits       = 3
)

// Categories ranks the categories for text, best first (at most n).
func (e *Engine) Categories(text string, n int) []CategoryScore {
	hits := e.keywordHits(text)
	scores := map[string]float64{}
	feats := map[string][]string{}
	if e.model.Size() > 0 {
		for _, s := range e.model.Scores(text) {
			scores[s.Label] = s.Score
			feats[s.Label] = s.Features
		}
	}
	cands := e.categoryCandidates(hits, scores)
	best, sum := softmax(cands)
	out := make([]CategoryScore, 0, len(cands))
	for _, c := range cands {
		cs := CategoryScore{Code: c.code, Confidence: math.Exp(c.score-best) / sum}
		if h := hits[c.code]; len(h) > 0 {
			cs.Reasons = append(cs.Reasons, Reason{Kind: "keyword", Rule: c.code, Text: "关键词：" + strings.Join(h, "、")})
		}
		if f := feats[c.code]; len(f) > 0 {
			cs.Reasons = append(cs.Reasons, Reason{Kind: "model", Rule: c.code, Text: "与以往同类事项相近的用语：" + strings.Join(f, "、")})
		}
		out = append(out, cs)
	}
	sortScores(out)
	if len(hits) == 0 && e.model.Size() == 0 {
		// Nothing to go on: say so rather than guess.
		for i := range out {
			out[i].Confidence = 0
		}
	}
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// keywordHits are the dictionary words of each category found in text.
func (e *Engine) keywordHits(text string) map[string][]string {
	hits := map[string][]string{}
	for _, r := range e.cfg.Categories {
		for _, w := range r.Words {
			if w != "" && strings.Contains(text, w) {
				hits[r.Code] = append(hits[r.Code], w)
			}
		}
	}
	return hits
}

// categoryCand is a category's log-score before the softmax.
type categoryCand struct {
	code  string
	score float64
}

// categoryCandidates scores every category: the model's log-score (a
// category it does not know gets less than its lowest) plus the keyword
// hits.
func (e *Engine) categoryCandidates(hits map[string][]string, scores map[string]float64) []categoryCand {
	var base float64
	if len(scores) > 0 {
		base = math.Inf(1)
		for _, v := range scores {
			base = min(base, v)
		}
	}
	var cands []categoryCand
	for _, r := range e.cfg.Categories {
		s, ok := scores[r.Code]
		if !ok {
			s = base - 5 // a category no past matter had
		}
		s += keywordWeight * float64(min(len(hits[r.Code]), maxHits))
		if len(scores) == 0 && len(hits[r.Code]) == 0 {
			// Keywords alone: a category none of whose words appear has no
			// claim at all (else eighteen empty categories would dilute
			// the one that matched).
			s = math.Inf(-1)
		}
		cands = append(cands, categoryCand{r.Code, s})
	}
	return cands
}

// softmax prepares the confidences: it returns the best score and the sum
// of exp(score − best). When nothing matched, every category is equally
// unlikely but "other" (rather than the first in the list).
func softmax(cands []categoryCand) (best, sum float64) {
	best = math.Inf(-1)
	for _, c := range cands {
		best = max(best, c.score)
	}
	if math.IsInf(best, -1) {
		best = 0 // nothing matched: every category equally unlikely
		for i := range cands {
			cands[i].score = 0
			if cands[i].code == "other" {
				cands[i].score = 1 // say "other" rather than the first in the list
			}
		}
	}
	for _, c := range cands {
		sum += math.Exp(c.score - best)
	}
	return best, sum
}

func sortScores(s []CategoryScore) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Confidence > s[j-1].Confidence; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

var severity = map[string]int{"none": 0, "blue": 1, "yellow": 2, "red": 3}

// Severity orders colours: none < blue < yellow < red.
func Severity(color string) int { return severity[color] }

// Risk grades the matter: the highest colour any trigger reaches.
func (e *Engine) Risk(in RiskInput) Risk {
	out := Risk{Color: "none"}
	sentences := splitSentences(in.Text)
	people, pm := maxPeople(in.Text)
	if in.PeopleCount > people {
		people, pm = in.PeopleCount, fmt.Sprintf("登记人数%d", in.PeopleCount)
	}
	amount, am := maxAmount(in.Text)
	if in.AmountYuan > amount {
		amount, am = in.AmountYuan, fmt.Sprintf("登记金额%.0f元", in.AmountYuan)
	}
	visit, vm := maxVisit(in.Text)
	fired := map[string]bool{}
	triggers := slices.Clone(e.cfg.Triggers)
	slices.SortStableFunc(triggers, func(a, b Trigger) int { return severity[b.Color] - severity[a.Color] })
	for _, t := range triggers {
		var what string
		switch t.Kind {
		case "words":
			var found []string
			for _, w := range t.Words {
				if matchWord(w, in.Text, sentences) {
					found = append(found, strings.ReplaceAll(w, "+", "…"))
				}
			}
			what = strings.Join(found, "、")
		case "people":
			if people > 0 && float64(people) >= t.Min {
				what = pm
			}
		case "amount":
			if amount > 0 && amount >= t.Min {
				what = am
			}
		case "visits":
			if visit > 0 && float64(visit) >= t.Min {
				what = vm
			}
		case "repeat":
			if in.PriorMatters > 0 && float64(in.PriorMatters) >= t.Min {
				what = fmt.Sprintf("%s此前涉及%d件", in.PriorWho, in.PriorMatters)
			}
		case "minor":
			if _, m := minorAge(in.Text); m != "" {
				what = m
			}
		case "village_red":
			if in.VillageRed > 0 && float64(in.VillageRed) >= t.Min {
				what = fmt.Sprintf("同村近90天红色矛盾%d件", in.VillageRed)
			}
		}
		if what == "" {
			continue
		}
		// A lower threshold of the same measure adds nothing once a higher
		// one fired (30+ people already says 10+).
		if fired[t.Kind] && t.Kind != "words" {
			continue
		}
		fired[t.Kind] = true
		out.Reasons = append(out.Reasons, Reason{Kind: "trigger", Rule: t.Code, Text: t.Name + "：" + what})
		if severity[t.Color] > severity[out.Color] {
			out.Color = t.Color
		}
	}
	if e.riskModel.Size() > 0 {
		sc := e.riskModel.Scores(in.Text)
		if top := sc[0]; severity[top.Label] > severity[out.Color] && math.Exp(top.Score) >= e.riskMin {
			text := fmt.Sprintf("与以往%s事项相近（把握 %.0f%%）", colorName[top.Label], 100*math.Exp(top.Score))
			if len(top.Features) > 0 {
				text += "：" + strings.Join(top.Features, "、")
			}
			out.Reasons = append(out.Reasons, Reason{Kind: "model", Rule: top.Label, Text: text})
			out.Color = top.Label
		}
	}
	return out
}

var colorName = map[string]string{"red": "红色", "yellow": "黄色", "blue": "蓝色", "none": "无风险"}

// matchWord: "A+B" needs A and B in one sentence; otherwise a substring.
func matchWord(w, text string, sentences []string) bool {
	if w == "" {
		return false
	}
	parts := strings.Split(w, "+")
	if len(parts) == 1 {
		return strings.Contains(text, w)
	}
	for _, s := range sentences {
		all := true
		for _, p := range parts {
			if !strings.Contains(s, p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func splitSentences(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune("。！？；!?;\n", r) })
}
