package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/server"
	"jiefen/internal/service/casework"
)

// BenchmarkGroupMatterPage measures the matter page and the first page of
// the household list of a matter with 2,000 households (issue 5: under
// 200 ms on the demo machine). Run:
//
//	go test ./internal/web -run '^$' -bench GroupMatterPage -benchtime 50x
func BenchmarkGroupMatterPage(b *testing.B) {
	st := jftest.OpenSQLite(b)
	svc := jftest.Service(st)
	jftest.SeedTree(b, svc)
	recep := jftest.MakeUser(b, svc, "recep", "610831", domain.RoleReceptionist)
	disp := jftest.MakeUser(b, svc, "disp", "610831", domain.RoleDispatcher)
	c, err := svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "village_affairs", OrgCode: "610831101",
		Description: "合作社社员反映2025年分红迟迟未发，涉及两千户。", Address: "何家集镇", PeopleCount: 2000,
		Parties: []domain.Party{{Role: "applicant", Name: "社员代表", IDType: "none", NoIDReason: "代表"}}})
	if err != nil {
		b.Fatal(err)
	}
	table := [][]string{{"姓名", "村", "电话", "金额"}}
	for i := range 2000 {
		table = append(table, []string{fmt.Sprintf("社员%04d", i), "何家集村委会", fmt.Sprintf("139%08d", i), "820.5"})
	}
	if _, err := svc.ImportMembers(jftest.As(disp, "127.0.0.1"), c.ID, table); err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(server.Config{Version: "bench", CentreName: "子洲县综治中心"}, svc, jftest.Logger())
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.PostForm(ts.URL+"/login", url.Values{"username": {"disp"}, "password": {jftest.Password}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("login: %v %v", err, resp)
	}
	resp.Body.Close()
	get := func(path string) {
		resp, err := hc.Get(ts.URL + path)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %v %v", path, err, resp)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	_ = casework.MemberStatuses
	for _, page := range []string{"", "/members"} {
		b.Run("matter"+page, func(b *testing.B) {
			path := fmt.Sprintf("/cases/%d%s", c.ID, page)
			get(path) // warm
			b.ResetTimer()
			for b.Loop() {
				get(path)
			}
		})
	}
}
