package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"jiefen/internal/domain"
)

// The statistics' summary table (case_facts): one compact row for each
// timeline event a figure counts — a close, a return visit, a reopening,
// the end of a step with a deadline — carrying whether the step ended on
// time and the matter's attributes the figures are broken down by. It is
// written in the transaction that adds the event (AddEvent) and kept in
// step when a matter moves, is re-graded, re-categorised, routed to a unit
// or merged (UpdateCase, SetCaseRouting), so a period's figures are one
// range of it rather than a walk through a million matters' timelines.

// factStep names the step a status waits for, as SQL.
const factStep = `CASE e.from_status WHEN 'registered' THEN 'assess' WHEN 'assessed' THEN 'dispatch' WHEN 'returned' THEN 'dispatch'
	WHEN 'dispatched' THEN 'sign' WHEN 'in_resolution' THEN 'resolve' WHEN 'closed' THEN 'inform' WHEN 'informed' THEN 'visit' ELSE '' END`

// factsSQL derives the facts of the events chosen by cond (over e, the
// events; c, their matters; k, their categories).
func factsSQL(d dialect, cond string) string {
	due := d.jsonField("e.data", domain.DataStepDue)
	onTime := `CASE WHEN ` + d.notAfter("e.at", due) + ` THEN 1 ELSE 0 END`
	// The value: a close's outcome, a visit's satisfaction, an inform's method.
	val := `COALESCE(` + d.jsonField("e.data", domain.DataOutcome) + `, ` + d.jsonField("e.data", domain.DataSatisfaction) + `, ` +
		d.jsonField("e.data", domain.DataMethod) + `, '')`
	step := `(e.action <> 'merge' AND e.from_status <> '' AND e.from_status <> e.to_status AND ` + due + ` IS NOT NULL)`
	return `INSERT INTO case_facts (id, at, case_id, action, step, on_time, value, org_path, category, channel, risk, unit_id, created_at, merged)
		SELECT e.id, e.at, e.case_id, e.action, CASE WHEN ` + step + ` THEN ` + factStep + ` ELSE '' END, ` + onTime + `, ` + val + `,
			c.org_path, COALESCE(k.parent_code, c.category_code), c.channel, c.risk, COALESCE(c.unit_id, 0), c.created_at,
			CASE WHEN c.outcome = 'merged' THEN 1 ELSE 0 END
		FROM case_events e JOIN cases c ON c.id = e.case_id JOIN categories k ON k.code = c.category_code
		WHERE ` + cond + ` AND (e.action IN ('close', 'visit', 'reopen') OR ` + step + `)`
}

// addFact records the fact of one event, if it is one.
func (tx *Tx) addFact(ctx context.Context, eventID int64) error {
	_, err := tx.exec(ctx, factsSQL(tx.d, "e.id = $1"), eventID)
	return wrap(err, "case facts")
}

// factsAfter records the facts of every event after the last one recorded
// (a bulk load's events).
func factsAfter(d dialect) string {
	return factsSQL(d, "e.id > (SELECT COALESCE(MAX(id), 0) FROM case_facts)")
}

// syncFacts copies a matter's attributes onto its facts.
func (tx *Tx) syncFacts(ctx context.Context, caseID int64) error {
	_, err := tx.exec(ctx, `UPDATE case_facts SET org_path = c.org_path, category = COALESCE(k.parent_code, c.category_code), channel = c.channel,
		risk = c.risk, unit_id = COALESCE(c.unit_id, 0), merged = CASE WHEN c.outcome = 'merged' THEN 1 ELSE 0 END
		FROM cases c JOIN categories k ON k.code = c.category_code WHERE c.id = $1 AND case_facts.case_id = $1`, caseID)
	return wrap(err, "sync case facts")
}

// StatsFacts lists the facts in [from, to) of matters under path (only
// the closes when closesOnly), oldest first; merged duplicates left out.
func (tx *Tx) StatsFacts(ctx context.Context, from, to time.Time, path string, closesOnly bool) ([]domain.Fact, error) {
	cond, args := factsWhere(from, to, path)
	if closesOnly {
		cond += ` AND action = 'close'`
	}
	return queryAll(ctx, tx, "stats facts", func(row rowScanner) (domain.Fact, error) {
		var f domain.Fact
		var onTime int
		if err := row.Scan(&f.CaseID, &f.Action, nullTime{&f.At}, &f.Step, &onTime, &f.Value, &f.Category, &f.OrgPath, &f.Channel, &f.Risk,
			&f.UnitID, nullTime{&f.CreatedAt}); err != nil {
			return f, err
		}
		f.OnTime = onTime == 1
		return f, nil
	}, `SELECT case_id, action, at, step, on_time, value, category, org_path, channel, risk, unit_id, created_at
		FROM case_facts WHERE `+cond+` ORDER BY at, id`, args...)
}

// factsWhere selects the period's facts under path, merged duplicates
// left out.
func factsWhere(from, to time.Time, path string) (string, []any) {
	cond, args := `at >= $1 AND at < $2 AND merged = 0`, []any{ts(from), ts(to)}
	if path != "/" && path != "" {
		lo, hi := pathRange(path)
		cond, args = cond+` AND org_path >= $3 AND org_path < $4`, append(args, lo, hi)
	}
	return cond, args
}

// StatsFactCounts counts the period's visits (by satisfaction), reopenings
// and step ends (informs by method) under path by group (by: "", category, org, unit, channel, risk, month;
// a month in China time), merged duplicates left out.
func (tx *Tx) StatsFactCounts(ctx context.Context, from, to time.Time, path, by string) ([]domain.FactCount, error) {
	key := map[string]string{"": `''`, "category": "category", "org": "org_path", "unit": "CAST(unit_id AS TEXT)", "channel": "channel", "risk": "risk",
		"month": tx.d.monthInChina("at")}[by]
	if key == "" {
		return nil, fmt.Errorf("store: no breakdown %q", by)
	}
	cond, args := factsWhere(from, to, path)
	return queryAll(ctx, tx, "stats fact counts", func(row rowScanner) (domain.FactCount, error) {
		var c domain.FactCount
		var k string
		var onTime int
		if err := row.Scan(&k, &c.Action, &c.Step, &onTime, &c.Value, &c.N); err != nil {
			return c, err
		}
		c.OnTime = onTime == 1
		switch by {
		case "category":
			c.Category = k
		case "org":
			c.OrgPath = k
		case "unit":
			c.UnitID, _ = strconv.ParseInt(k, 10, 64)
		case "channel":
			c.Channel = k
		case "risk":
			c.Risk = k
		case "month":
			c.At, _ = time.ParseInLocation("2006-01", k, domain.CST)
		}
		if c.Action == "close" {
			c.Action = "" // a close that ended a step: counted here as the step only
		}
		return c, nil
	}, `SELECT `+key+`, action, step, on_time, CASE WHEN action IN ('visit', 'inform') THEN value ELSE '' END, COUNT(*)
		FROM case_facts WHERE `+cond+` AND (action IN ('visit', 'reopen') OR step <> '')
		GROUP BY 1, 2, 3, 4, 5`, args...)
}
