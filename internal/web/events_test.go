package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/server"
)

// sse is one server-sent event; a comment (the heartbeat) has Name ":".
type sse struct {
	Name string
	Data map[string]any
}

// stream opens GET /events on base as hc's session and returns the events
// as they arrive; the channel closes when the server ends the stream.
func stream(t *testing.T, hc *http.Client, base string) <-chan sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/events", nil)
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		cancel()
		resp.Body.Close()
		t.Fatalf("GET /events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	ch := make(chan sse, 256)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, ":"):
				ch <- sse{Name: ":"}
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.Data)
			case line == "" && ev.Name != "":
				ch <- ev
				ev = sse{}
			}
		}
	}()
	return ch
}

// next waits for the next event named name, skipping others.
func next(t *testing.T, ch <-chan sse, name string) map[string]any {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the stream ended before a %s event", name)
			}
			if ev.Name == name {
				return ev.Data
			}
		case <-timeout:
			t.Fatalf("no %s event within 15 s", name)
		}
	}
}

// none checks that no event named name arrives within d.
func none(t *testing.T, ch <-chan sse, name string, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if ev.Name == name {
				t.Fatalf("unexpected %s event: %v", name, ev.Data)
			}
		case <-timeout:
			return
		}
	}
}

// ended waits for the server to close the stream.
func ended(t *testing.T, ch <-chan sse) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the stream is still open")
		}
	}
}

// registerCase registers a matter in org through the web form and returns its id.
func (c *client) registerCase(org string) int64 {
	c.e.t.Helper()
	c.getOK("/cases/new")
	resp, body := c.post("/cases", url.Values{"channel": {"visit"}, "category": {"land"}, "org_code": {org}, "address": {"何家集村三组"},
		"description": {"张家与李家因土地边界发生争执，李家扬言要毁坏青苗。"}, "p0_name": {"张建军"}, "p0_role": {"applicant"},
		"p0_kind": {"person"}, "p0_noid": {"未带证件"}})
	loc, ok := strings.CutPrefix(resp.Header.Get("Location"), "/cases/")
	id, err := strconv.ParseInt(loc, 10, 64)
	if resp.StatusCode != http.StatusSeeOther || !ok || err != nil {
		c.e.t.Fatalf("register: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return id
}

// act runs a workflow action through the case page's form.
func (c *client) act(id int64, action string, form url.Values) {
	c.e.t.Helper()
	c.getOK("/cases/" + itoa(id))
	if resp, body := c.post("/cases/"+itoa(id)+"/actions/"+action, form); resp.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("%s: %d\n%s", action, resp.StatusCode, body)
	}
}

// On one instance (SQLite) the event stream tells a page of a new matter in
// its user's jurisdiction and of a new entry in its user's inbox, without
// personal data; it outlives the server's read and write timeouts, ends when
// the session does, and ends when the server shuts its events down.
func TestEventStream(t *testing.T) {
	st := jftest.OpenSQLite(t)
	svc := jftest.Service(st)
	jftest.SeedTree(t, svc)
	srv, err := server.New(server.Config{Version: "test", CentreName: "子洲县综治中心", Heartbeat: 100 * time.Millisecond}, svc, jftest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = time.Second, time.Second // as `serve` has, shorter
	ts.Start()
	t.Cleanup(ts.Close)
	e := &env{t, st, svc, srv, ts}
	eventsCtx, stopEvents := context.WithCancel(context.Background())
	eventsDone := make(chan struct{})
	go func() { svc.RunEvents(eventsCtx); close(eventsDone) }()
	t.Cleanup(func() { stopEvents(); <-eventsDone })

	e.user("recep", "610831", domain.RoleReceptionist)
	e.user("disp", "610831", domain.RoleDispatcher)
	e.user("med1", "610831101", domain.RoleMediator)
	e.user("shydisp", "610831001", domain.RoleDispatcher) // another township
	recep, disp, med, shy := e.client(), e.client(), e.client(), e.client()
	recep.login("recep", jftest.Password)
	disp.login("disp", jftest.Password)
	med.login("med1", jftest.Password)
	shy.login("shydisp", jftest.Password)

	if resp, _ := e.client().get("/events"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("anonymous /events: %d", resp.StatusCode)
	}
	_, body := med.get("/cases")
	if !strings.Contains(body, `data-events="/events"`) || !strings.Contains(body, "data-unread hidden") ||
		!strings.Contains(body, "data-new-cases hidden") || !strings.Contains(body, "有新登记的事项，点击刷新") || !strings.Contains(body, "data-toast-template") {
		t.Fatal("the page lacks the live-update hooks")
	}
	medEvents, shyEvents := stream(t, med.hc, ts.URL), stream(t, shy.hc, ts.URL)
	if d := next(t, medEvents, "unread"); d["unread"] != 0.0 {
		t.Fatalf("first event: %v", d)
	}
	next(t, medEvents, ":")
	time.Sleep(1500 * time.Millisecond) // past both server timeouts

	id := recep.registerCase("610831101")
	d := next(t, medEvents, "case.registered")
	if d["case_id"] != float64(id) || !strings.HasPrefix(d["number"].(string), "ZZ") || d["org_path"] == "" {
		t.Fatalf("case.registered: %v", d)
	}
	none(t, shyEvents, "case.registered", 300*time.Millisecond) // outside that dispatcher's township

	disp.act(id, "assess", url.Values{"risk": {"none"}})
	disp.act(id, "dispatch", url.Values{"assignee": {"med1"}})
	d = next(t, medEvents, "notification")
	if d["unread"] != 1.0 || d["case_id"] != float64(id) || !strings.HasPrefix(d["text"].(string), "交办 · ZZ") {
		t.Fatalf("notification: %v", d)
	}
	raw, _ := json.Marshal(d)
	if strings.Contains(string(raw), "张") || strings.Contains(string(raw), "青苗") {
		t.Fatalf("the event carries personal data or the matter's text: %s", raw)
	}
	none(t, shyEvents, "notification", 200*time.Millisecond)

	// The session ends (sign-out elsewhere): the stream says so and closes.
	med2 := e.client()
	med2.hc.Jar = med.hc.Jar
	med2.getOK("/account")
	if resp, _ := med2.post("/logout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout elsewhere: %d", resp.StatusCode)
	}
	next(t, medEvents, "end")
	ended(t, medEvents)

	// Shutdown closes the open streams.
	stopEvents()
	ended(t, shyEvents)
	if resp, _ := shy.get("/events"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/events after shutdown: %d", resp.StatusCode)
	}
}
