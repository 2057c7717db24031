package casework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Broadcast kinds. A broadcast tells open pages that something changed (it is
// not a timeline entry); the page fetches what it shows through the
// ordinary, authorized routes.
const (
	BroadcastCaseRegistered = "case.registered" // a matter was registered
	BroadcastNotification   = "notification"    // an entry landed in a user's inbox
	BroadcastResync         = "resync"          // events may have been lost: re-read the counts
)

// Broadcast is what one instance tells the pages open on every instance. It
// carries no personal data: numbers, ids, an org path and an inbox kind. On
// PostgreSQL it travels as the JSON payload of a NOTIFY.
type Broadcast struct {
	Kind    string `json:"kind"`
	CaseID  int64  `json:"case_id,omitempty"`
	Number  string `json:"number,omitempty"`   // the matter's number
	OrgPath string `json:"org_path,omitempty"` // case.registered: where the matter is
	UserID  int64  `json:"user_id,omitempty"`  // notification: whose inbox
	Notice  string `json:"notice,omitempty"`   // notification: the inbox kind (assignment, overdue, …)
	Origin  string `json:"origin,omitempty"`   // the instance that raised it
}

// visibleTo reports whether u may be told of ev: a notification only its
// owner, a new matter whoever may view matters where it was registered.
func (ev Broadcast) visibleTo(u *domain.User) bool {
	switch ev.Kind {
	case BroadcastNotification:
		return u.ID == ev.UserID
	case BroadcastCaseRegistered:
		return ev.OrgPath != "" && authz.Check(u, authz.CaseView, ev.OrgPath) == nil
	case BroadcastResync:
		return true
	}
	return false
}

// hub hands events to this process's subscribers (the open event streams).
type hub struct {
	instance string
	mu       sync.Mutex
	subs     map[*Subscription]struct{}
	closed   bool
	ready    chan struct{}
	once     sync.Once
}

func newHub(crossInstance bool) *hub {
	h := &hub{instance: newInstanceID(), subs: map[*Subscription]struct{}{}, ready: make(chan struct{})}
	if !crossInstance {
		h.markReady()
	}
	return h
}

// newInstanceID names this process in job leases and events: host, pid and
// a random part (two services in one test process differ).
func newInstanceID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(randomBytes(4)))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func (h *hub) markReady() { h.once.Do(func() { close(h.ready) }) }

// subscriberBuffer events wait for a slow stream; past that they are dropped
// for it (the page still shows the truth on its next load).
const subscriberBuffer = 32

// deliver hands ev to every subscriber allowed to see it, never blocking.
func (h *hub) deliver(ev Broadcast) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		if !ev.visibleTo(sub.user) {
			continue
		}
		select {
		case sub.c <- ev:
		default:
		}
	}
}

// close ends every subscription and refuses new ones (shutdown).
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for sub := range h.subs {
		delete(h.subs, sub)
		close(sub.c)
	}
}

// Subscription is one open event stream. C is closed when the service shuts
// its events down.
type Subscription struct {
	C    <-chan Broadcast
	c    chan Broadcast
	h    *hub
	user *domain.User // guarded by h.mu
}

// Close ends the subscription.
func (sub *Subscription) Close() {
	sub.h.mu.Lock()
	defer sub.h.mu.Unlock()
	if _, ok := sub.h.subs[sub]; ok {
		delete(sub.h.subs, sub)
		close(sub.c)
	}
}

// Subscribe opens an event stream for the actor: the events the actor may
// see, raised on any instance from now on.
func (s *Service) Subscribe(ctx context.Context) (*Subscription, error) {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return nil, app.ErrNoSession
	}
	c := make(chan Broadcast, subscriberBuffer)
	sub := &Subscription{C: c, c: c, h: s.hub, user: u}
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	if s.hub.closed {
		return nil, &domain.Error{Code: domain.Unavailable, Key: "error.shutting_down"}
	}
	s.hub.subs[sub] = struct{}{}
	return sub, nil
}

// CheckSubscription re-reads the actor's session and account for a
// long-lived stream: it fails once the session has ended or expired or the
// account is disabled, and otherwise filters from now on with the account as
// it is now (roles and jurisdiction may have changed). Unlike Authenticate it
// does not count as activity, so an open page alone never keeps a session
// alive.
func (s *Service) CheckSubscription(ctx context.Context, sub *Subscription) error {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return app.ErrNoSession
	}
	var u *domain.User
	err := s.Store().View(ctx, func(tx *store.Tx) error {
		if a.SessionID != 0 {
			sess, err := tx.Session(ctx, a.SessionID)
			if err != nil {
				return err
			}
			if tx.Now.After(sess.ExpiresAt) || tx.Now.Sub(sess.LastSeenAt) > s.id.Policy().IdleTimeout {
				return app.ErrNoSession
			}
		}
		var err error
		u, err = tx.User(ctx, a.User.ID)
		return err
	})
	if domain.ErrorCode(err) == domain.NotFound {
		return app.ErrNoSession
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return app.ErrNoSession
	}
	s.hub.mu.Lock()
	sub.user = u
	s.hub.mu.Unlock()
	return nil
}

// publish raises ev once tx commits: to this process's subscribers directly,
// and on PostgreSQL to the other instances through a NOTIFY sent inside tx
// (so it reaches them on commit and never on rollback). This instance hears
// its own NOTIFY too and skips it by its origin.
func (s *Service) publish(ctx context.Context, tx *store.Tx, ev Broadcast) error {
	ev.Origin = s.hub.instance
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("service: encode event: %w", err)
	}
	if err := tx.Publish(ctx, string(b)); err != nil {
		return err
	}
	tx.AfterCommit(func() { s.hub.deliver(ev) })
	return nil
}

// RunEvents carries events between instances until ctx ends: on PostgreSQL
// one dedicated connection listens for the events the other instances
// publish (reconnecting with backoff; after a reconnection open pages are told
// to re-read their counts). When it returns every event stream has been
// closed and new ones are refused, so the HTTP server can shut down.
func (s *Service) RunEvents(ctx context.Context) {
	defer s.hub.close()
	if !s.Store().Shared() {
		<-ctx.Done()
		return
	}
	first := true
	s.Store().Listen(ctx, store.Listener{
		Notify: func(payload string) {
			var ev Broadcast
			if err := json.Unmarshal([]byte(payload), &ev); err != nil {
				s.Logger().Warn("event listener: bad payload", "err", err)
				return
			}
			if ev.Origin != s.hub.instance { // ours were delivered at commit
				s.hub.deliver(ev)
			}
		},
		Connected: func() {
			if first {
				first = false
				s.hub.markReady()
				return
			}
			s.Logger().Info("event listener: reconnected")
			s.hub.deliver(Broadcast{Kind: BroadcastResync})
		},
		Failed: func(err error, retryIn time.Duration) {
			s.Logger().Warn("event listener: connection lost", "err", err, "retry_in", retryIn.String())
		},
	})
}

// EventsReady is closed once events from other instances are heard (at
// once on SQLite, where there are none).
func (s *Service) EventsReady() <-chan struct{} { return s.hub.ready }

// Instance names this process in job leases and events.
func (s *Service) Instance() string { return s.hub.instance }
