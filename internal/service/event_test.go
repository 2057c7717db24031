package service_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// receive waits for the next event of kind on sub.
func receive(t *testing.T, sub *casework.Subscription, kind string) casework.Broadcast {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				t.Fatalf("subscription closed before a %s event", kind)
			}
			if ev.Kind == kind {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event", kind)
		}
	}
}

// silent checks that sub receives nothing within d.
func silent(t *testing.T, sub *casework.Subscription, d time.Duration) {
	t.Helper()
	select {
	case ev := <-sub.C:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(d):
	}
}

// Each subscriber hears what concerns it: a notification only its owner, a
// new matter only those who may view matters where it was registered; an
// event is raised on commit, never on rollback.
func TestEventsAreFilteredPerUser(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		if st.Engine() == "postgres" {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { e.svc.RunEvents(ctx); close(done) }()
			t.Cleanup(func() { cancel(); <-done })
			<-e.svc.EventsReady()
		}
		med, med2, shy, disp := e.sub(t, e.med), e.sub(t, e.med2), e.sub(t, e.shy), e.sub(t, e.disp)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		for _, sub := range []*casework.Subscription{med, med2, disp} {
			if ev := receive(t, sub, casework.BroadcastCaseRegistered); ev.CaseID != c.ID || ev.Number != c.Number || ev.OrgPath != c.OrgPath {
				t.Fatalf("case.registered: %+v", ev)
			}
		}
		silent(t, shy, 200*time.Millisecond) // another township
		c = e.path("none").To(t, c, jftest.Dispatched)
		if ev := receive(t, med, casework.BroadcastNotification); ev.UserID != e.med.ID || ev.Notice != "assignment" || ev.Number != c.Number {
			t.Fatalf("notification: %+v", ev)
		}
		silent(t, med2, 200*time.Millisecond)
		// A refused registration publishes nothing.
		if _, err := e.svc.RegisterCase(as(e.grid), landCase("610831101201")); err == nil {
			t.Fatal("a grid worker registered outside the cell")
		}
		silent(t, disp, 200*time.Millisecond)
	})
}

func (e *caseEnv) sub(t *testing.T, u *domain.User) *casework.Subscription {
	t.Helper()
	sub, err := e.svc.Subscribe(as(u))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// After its connection is cut, the listener reconnects, tells the pages to
// re-read their counts, and hears the other instances again.
func TestEventListenerReconnects(t *testing.T) {
	dsn := jftest.PostgresDSN(t)
	open := func() *store.Store {
		st, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st
	}
	a := newCaseEnv(t, open())
	b := jftest.Service(open())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.RunEvents(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	<-b.EventsReady()
	sub, err := b.Subscribe(as(a.disp))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	// Cut B's listening connection, as a database restart or a network blip would.
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := dsn[strings.LastIndex(dsn, "search_path=")+len("search_path="):]
	var n int
	if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN %' AND query LIKE '%' || $1 || '%'`, schema).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d listeners: %v", n, err)
	}
	receive(t, sub, casework.BroadcastResync)
	c, err := a.svc.RegisterCase(as(a.recep), landCase("610831101"))
	if err != nil {
		t.Fatal(err)
	}
	if ev := receive(t, sub, casework.BroadcastCaseRegistered); ev.CaseID != c.ID {
		t.Fatalf("after reconnecting: %+v", ev)
	}
	// Shutting events down closes the subscription.
	cancel()
	<-done
	if _, ok := <-sub.C; ok {
		t.Fatal("the subscription outlived RunEvents")
	}
	if _, err := b.Subscribe(as(a.disp)); err == nil {
		t.Fatal("subscribed after shutdown")
	}
}
