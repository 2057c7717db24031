package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"jiefen/internal/app"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"jiefen/internal/assess"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// SuggestedCategory is a category suggestion with its reasons.
type SuggestedCategory struct {
	Code       string          `json:"code"`
	Name       string          `json:"name"`
	Confidence float64         `json:"confidence"`
	Reasons    []assess.Reason `json:"reasons"`
}

// Suggestion is what the assessment step (分析研判) offers the dispatcher.
type Suggestion struct {
	Category      SuggestedCategory   `json:"category"`
	Alternatives  []SuggestedCategory `json:"alternatives"`
	Risk          assess.Risk         `json:"risk"`
	Unit          *SuggestedUnit      `json:"unit"`
	MediationOrg  *SuggestedOrg       `json:"mediation_org"`
	Mediators     []SuggestedMediator `json:"mediators"`
	Related       []domain.Related    `json:"related"` // matters that may be the same dispute or linked to it
	ConfigVersion int64               `json:"config_version"`
	Learned       int                 `json:"learned_from"` // past matters the model learned from
}

// modelTTL is how long a trained model serves before it is trained again
// from the newest matters (in the background; the old one serves meanwhile).
const (
	modelTTL     = time.Hour
	trainingSize = 5000
)

// assessState caches the rules in force and the trained model.
type assessState struct {
	mu       sync.Mutex
	cfg      *assess.Config
	version  int64
	model    *assess.Model
	risk     *assess.Model
	learned  int
	trained  time.Time
	training bool
}

func (s *Service) assessConfig(ctx context.Context, tx *store.Tx) (assess.Config, int64, error) {
	a := &s.assess
	a.mu.Lock()
	if a.cfg != nil {
		cfg, v := cloneConfig(*a.cfg), a.version
		a.mu.Unlock()
		return cfg, v, nil
	}
	a.mu.Unlock()
	row, err := tx.AssessConfig(ctx)
	if err != nil {
		return assess.Config{}, 0, err
	}
	cfg, v := assess.Default(), int64(0)
	if row != nil {
		if err := json.Unmarshal([]byte(row.Body), &cfg); err != nil {
			return assess.Config{}, 0, fmt.Errorf("service: assess config %d: %w", row.Version, err)
		}
		v = row.Version
	}
	a.mu.Lock()
	kept := cloneConfig(cfg)
	a.cfg, a.version = &kept, v
	a.mu.Unlock()
	return cfg, v, nil
}

// cloneConfig copies the rules deeply: a caller editing its copy (the rules
// form) must not change the rules in force.
func cloneConfig(c assess.Config) assess.Config {
	out := assess.Config{Categories: make([]assess.CategoryRule, len(c.Categories)), Triggers: make([]assess.Trigger, len(c.Triggers))}
	for i, r := range c.Categories {
		r.Words = slices.Clone(r.Words)
		out.Categories[i] = r
	}
	for i, t := range c.Triggers {
		t.Words = slices.Clone(t.Words)
		out.Triggers[i] = t
	}
	return out
}

// assessModel returns the trained model, training it on first use and again
// in the background once it is older than modelTTL. With wait false (inside
// a write transaction, where training would hold up every writer) a first
// use trains in the background and answers with keywords alone.
func (s *Service) assessModel(ctx context.Context, cfg assess.Config, wait bool) (*assess.Model, *assess.Model, int) {
	a := &s.assess
	a.mu.Lock()
	m, rm, n, age, busy := a.model, a.risk, a.learned, time.Since(a.trained), a.training
	if m != nil && (age < modelTTL || busy) {
		a.mu.Unlock()
		return m, rm, n
	}
	a.training = true
	a.mu.Unlock()
	train := func() (*assess.Model, *assess.Model, int) {
		defer func() { a.mu.Lock(); a.training = false; a.mu.Unlock() }()
		var docs []store.TrainingDoc
		bg := context.WithoutCancel(ctx) // the request may end before training does
		err := s.Store().View(bg, func(tx *store.Tx) error {
			var err error
			docs, err = tx.TrainingDocs(bg, trainingSize)
			return err
		})
		if err != nil {
			s.Logger().Warn("assess: training data", "err", err)
			return nil, nil, 0
		}
		ds := make([]assess.Doc, 0, len(docs))
		rs := make([]assess.Doc, 0, len(docs))
		for _, d := range docs {
			label := d.Category
			if d.ParentCategory != "" {
				label = d.ParentCategory // the suggestion names top-level categories
			}
			ds = append(ds, assess.Doc{Text: d.Text, Label: label})
			rs = append(rs, assess.Doc{Text: d.Text, Label: d.Risk})
		}
		var m, rm *assess.Model
		if len(ds) > 0 {
			m = assess.Train(cfg, ds)
		}
		// The colour model learns the dispatchers' own grading; with little
		// history it would only echo chance, so the rules decide alone.
		if len(rs) >= minRiskHistory {
			rm = assess.TrainRisk(cfg, rs)
		}
		a.mu.Lock()
		a.model, a.risk, a.learned, a.trained = m, rm, len(ds), time.Now()
		a.mu.Unlock()
		return m, rm, len(ds)
	}
	if m == nil && wait {
		return train()
	}
	go train()
	return m, rm, n
}

// minRiskHistory is how many graded matters the colour model needs.
const minRiskHistory = 300

// WarmAssess trains the suggestion model (serve calls it at start, in the
// background, so the first assessment does not wait).
func (s *Service) WarmAssess(ctx context.Context) {
	var cfg assess.Config
	err := s.Store().View(ctx, func(tx *store.Tx) error {
		var err error
		cfg, _, err = s.assessConfig(ctx, tx)
		return err
	})
	if err != nil {
		s.Logger().Warn("assess: warm", "err", err)
		return
	}
	s.assessModel(ctx, cfg, true)
}

func (s *Service) forgetAssess() {
	s.assess.mu.Lock()
	s.assess.cfg, s.assess.model, s.assess.risk, s.assess.trained = nil, nil, nil, time.Time{}
	s.assess.mu.Unlock()
}

// riskFacts gathers what the risk rules need from the database: the parties'
// earlier matters and recent red matters in the same village.
func (s *Service) RiskFacts(ctx context.Context, tx *store.Tx, keys []domain.PartyKey, orgPath string, exclude int64) (assess.RiskInput, error) {
	var in assess.RiskInput
	for _, k := range keys {
		// Only matters the asker may see count: the form must not tell a
		// township clerk how many disputes an ID number has elsewhere.
		n, err := tx.PartyMatters(ctx, k.IDBidx, k.PhoneBidx, exclude, app.Scope(ctx))
		if err != nil {
			return in, err
		}
		if n > in.PriorMatters {
			in.PriorMatters, in.PriorWho = n, k.Name
		}
	}
	village := domain.VillagePath(orgPath)
	if !strings.HasPrefix(village, app.Scope(ctx)) {
		village = "" // a village outside the asker's jurisdiction tells nothing
	}
	n, err := tx.RedMattersSince(ctx, village, tx.Now.AddDate(0, 0, -90), exclude)
	if err != nil {
		return in, err
	}
	in.VillageRed = n
	return in, nil
}

func (s *Service) SuggestText(ctx context.Context, tx *store.Tx, text, path string, in assess.RiskInput, wait bool) (*Suggestion, error) {
	cfg, version, err := s.assessConfig(ctx, tx)
	if err != nil {
		return nil, err
	}
	model, riskModel, learned := s.assessModel(ctx, cfg, wait)
	eng := assess.New(cfg, model).WithRisk(riskModel)
	cats, err := tx.Categories(ctx)
	if err != nil {
		return nil, err
	}
	name := func(code string) string {
		if i := slices.IndexFunc(cats, func(c domain.Category) bool { return c.Code == code }); i >= 0 {
			return cats[i].Name
		}
		return code
	}
	out := &Suggestion{ConfigVersion: version, Learned: learned}
	for i, c := range eng.Categories(text, 3) {
		sc := SuggestedCategory{Code: c.Code, Name: name(c.Code), Confidence: c.Confidence, Reasons: c.Reasons}
		if sc.Reasons == nil {
			sc.Reasons = []assess.Reason{}
		}
		if i == 0 {
			out.Category = sc
		} else if sc.Confidence >= 0.05 { // a long shot is noise, not an alternative
			out.Alternatives = append(out.Alternatives, sc)
		}
	}
	in.Text = text
	out.Risk = eng.Risk(in)
	if out.Risk.Reasons == nil {
		out.Risk.Reasons = []assess.Reason{}
	}
	if out.Unit, out.MediationOrg, out.Mediators, err = s.Route(ctx, tx, out.Category.Code, out.Category.Name, path, text); err != nil {
		return nil, err
	}
	return out, nil
}

// AssessRules returns the rules in force and their version (0: defaults).
func (s *Service) AssessRules(ctx context.Context) (assess.Config, int64, error) {
	if err := s.mayEditRules(ctx); err != nil {
		return assess.Config{}, 0, err
	}
	var cfg assess.Config
	var v int64
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		cfg, v, err = s.assessConfig(ctx, tx)
		return err
	})
	return cfg, v, err
}

// SaveAssessRules saves a new version of the rules (administrators and the
// CLI). after is the version the editor started from; a concurrent edit is
// a conflict.
func (s *Service) SaveAssessRules(ctx context.Context, after int64, cfg assess.Config, note string) (int64, error) {
	if err := s.mayEditRules(ctx); err != nil {
		return 0, err
	}
	if err := validateRules(cfg); err != nil {
		return 0, err
	}
	note, ok := app.Text(note, 500)
	if !ok {
		return 0, app.Required("note", "field.too_long")
	}
	body, _ := json.Marshal(cfg)
	var v int64
	err := s.Update(ctx, func(tx *store.Tx) error {
		cats, err := tx.Categories(ctx)
		if err != nil {
			return err
		}
		for _, r := range cfg.Categories {
			if !slices.ContainsFunc(cats, func(c domain.Category) bool { return c.Code == r.Code }) {
				return app.Required("categories", "assess.category.unknown")
			}
		}
		var by int64
		if u := domain.ActorFrom(ctx).User; u != nil {
			by = u.ID
		}
		if v, err = tx.InsertAssessConfig(ctx, after, string(body), note, by); err != nil {
			return err
		}
		tx.AfterCommit(s.forgetAssess)
		return s.Kernel.Audit(ctx, tx, "assess.rules", "assess", fmt.Sprint(v), "", domain.ResultOK, note)
	})
	return v, err
}

// mayEditRules: the rules hold for the whole county, so only an
// administrator whose jurisdiction is the whole tree (and the CLI) reads and
// edits them.
func (s *Service) mayEditRules(ctx context.Context) error {
	err := s.Check(ctx, authz.UserManage, "assess", "", "")
	if u := domain.ActorFrom(ctx).Principal(); err == nil && (u == nil || strings.Count(u.OrgPath, "/") > 2) {
		err = app.Forbidden("assess.rules", "assess", "", "")
	}
	return s.Denied(ctx, err)
}

func validateRules(cfg assess.Config) error {
	seen := map[string]bool{}
	for _, t := range cfg.Triggers {
		switch {
		case t.Code == "" || seen[t.Code]:
			return app.Required("triggers", "assess.trigger.code")
		case !slices.Contains(assess.TriggerKinds, t.Kind):
			return app.Required("triggers", "assess.trigger.kind")
		case t.Color != "red" && t.Color != "yellow" && t.Color != "blue":
			return app.Required("triggers", "assess.trigger.color")
		case t.Kind == "words" && len(t.Words) == 0:
			return app.Required("triggers", "assess.trigger.words")
		case t.Kind != "words" && t.Kind != "minor" && (!(t.Min > 0) || math.IsInf(t.Min, 0)):
			return app.Required("triggers", "assess.trigger.min")
		}
		seen[t.Code] = true
		for _, w := range t.Words {
			if strings.TrimSpace(w) == "" || len([]rune(w)) > 20 {
				return app.Required("triggers", "assess.word")
			}
		}
	}
	for _, c := range cfg.Categories {
		for _, w := range c.Words {
			if strings.TrimSpace(w) == "" || len([]rune(w)) > 20 {
				return app.Required("categories", "assess.word")
			}
		}
	}
	return nil
}

// InCategory reports whether code is top or one of its sub-categories.
func InCategory(cats []domain.Category, code, top string) bool {
	if code == top {
		return true
	}
	i := slices.IndexFunc(cats, func(c domain.Category) bool { return c.Code == code })
	return i >= 0 && cats[i].ParentCode == top
}
