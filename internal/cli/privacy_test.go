package cli_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// jiefen privacy: find (fields, no values; a reference and a reason
// required), the copy of a request an account made and another approved
// (once), a correction, the retention rules and a dry run, the processing
// record and the breach question; mistakes exit non-zero with a sentence.
func TestPrivacyCommands(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "p.db")
	env := map[string]string{"JIEFEN_DB": dsn, "LANG": "C"}
	if r := run(t, "", env, "divisions", "import", "--from", "../demo/data/zizhou-divisions.csv", "--county", "610831", "--county-name", "子洲县"); r.code != 0 {
		t.Fatalf("divisions: %+v", r)
	}
	st := jftest.OpenSQLiteAt(t, dsn)
	svc := jftest.Service(st)
	recep := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist)
	sec := jftest.MakeUser(t, svc, "anquan", "610831", domain.RoleSecurityAdmin)
	lead := jftest.MakeUser(t, svc, "lead", "610831", domain.RoleLeader)
	const id = "610831199003070024"
	c, err := svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200",
		Description: "张建军与邻居因宅基地边界发生争执，双方多次争吵。", Address: "何家集村三组",
		Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: id, Phone: "13912345678"}}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := svc.RequestPersonCopy(jftest.As(sec, "127.0.0.1"), domain.PersonQuery{IDNumber: id}, "个信〔2026〕3号", "本人申请复制")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.ApprovePersonCopy(jftest.As(lead, "127.0.0.1"), req.ID); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if r := run(t, "", env, "privacy", "find", "--id-number", id); r.code != 1 || !strings.Contains(r.stderr, "reference") {
		t.Fatalf("find without a reference: %+v", r)
	}
	r := run(t, "", env, "privacy", "find", "--id-number", id, "--ref", "个信〔2026〕3号", "--reason", "本人申请查阅")
	if r.code != 0 || !strings.Contains(r.stdout, c.Number) || !strings.Contains(r.stdout, "holds name,id_number,phone") || strings.Contains(r.stdout, id) ||
		!strings.Contains(r.stdout, "1 party records, 0 household rows, 1 matters") {
		t.Fatalf("find: %+v", r)
	}
	if r := run(t, "", env, "privacy", "export", "--out", "x.xlsx"); r.code != 2 {
		t.Fatalf("export without --request: %+v", r)
	}
	out := filepath.Join(dir, "copy.xlsx")
	rid := strconv.FormatInt(req.ID, 10)
	if r := run(t, "", env, "privacy", "export", "--request", rid, "--out", out); r.code != 0 || !strings.Contains(r.stdout, "1 party records") {
		t.Fatalf("export: %+v", r)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("copy file: %v %v", fi, err)
	}
	if r := run(t, "", env, "privacy", "export", "--request", rid, "--out", out); r.code != 1 || !strings.Contains(r.stderr, "already") {
		t.Fatalf("second export: %+v", r)
	}
	party := strconv.FormatInt(c.Parties[0].ID, 10)
	fix := []string{"privacy", "correct", "--case", c.Number, "--party", party, "--field", "phone", "--ref", "个信〔2026〕3号", "--reason", "本人申请更正"}
	if r := run(t, "", env, append(fix, "--value", "1")...); r.code != 1 || !strings.Contains(r.stderr, "value") {
		t.Fatalf("bad correction: %+v", r)
	}
	if r := run(t, "", env, append(fix, "--value", "13700001111")...); r.code != 0 || !strings.Contains(r.stdout, "corrected the phone") {
		t.Fatalf("correction: %+v", r)
	}
	if r := run(t, "", env, "privacy", "retention", "rules"); r.code != 0 || !strings.Contains(r.stdout, "case_parties\tanonymise\t3650 days") {
		t.Fatalf("rules: %+v", r)
	}
	if r := run(t, "", env, "privacy", "retention", "set", "--kind", "audit_log", "--days", "30"); r.code != 1 || !strings.Contains(r.stderr, "180") {
		t.Fatalf("30 days of audit log: %+v", r)
	}
	if r := run(t, "", env, "privacy", "retention", "run", "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "would anonymise (dry run, nothing changed) 0 matters") {
		t.Fatalf("dry run: %+v", r)
	}
	if r := run(t, "", env, "privacy", "record"); r.code != 0 || !strings.Contains(r.stdout, "ID number") || !strings.Contains(r.stdout, "dispatcher") {
		t.Fatalf("record: %+v", r)
	}
	day := time.Now().In(domain.CST).Format("2006-01-02")
	if r := run(t, "", env, "privacy", "access", "--user", "anquan", "--from", day, "--to", day); r.code != 0 || !strings.Contains(r.stdout, "reaching 0 persons") {
		t.Fatalf("access: %+v", r)
	}
	if r := run(t, "", env, "privacy", "access", "--user", "(cli)", "--from", day, "--to", day); r.code != 0 || !strings.Contains(r.stdout, "1 views reaching 1 persons") {
		t.Fatalf("the console's copy: %+v", r)
	}
	if r := run(t, "", env, "privacy", "forget"); r.code != 2 {
		t.Fatalf("unknown subcommand: %+v", r)
	}
}
