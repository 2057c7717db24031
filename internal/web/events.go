package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
	"jiefen/internal/service/casework"
)

const (
	// eventHeartbeat is how often an idle event stream sends a comment, so
	// proxies keep it open and a gone client is noticed; the session is
	// re-checked at the same pace.
	eventHeartbeat = 25 * time.Second
	// eventWriteWait bounds each write to the stream.
	eventWriteWait = 10 * time.Second
	// eventRetry is how long the browser waits before reconnecting.
	eventRetry = 5 * time.Second
)

// streamEvents is the page's live feed (server-sent events): new entries in
// the user's inbox and matters registered in the user's jurisdiction, raised
// on any instance. It ends when the client goes, the session ends or the
// server shuts down.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sub, err := s.svc.Subscribe(ctx)
	if err != nil {
		return err
	}
	defer sub.Close()
	// The server's timeouts are for ordinary requests: at WriteTimeout the
	// stream would be cut, so the write deadline is set afresh before each
	// write. The read deadline is lifted too (net/http does so itself for
	// HTTP/1 once the request is read; this does not depend on it).
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	u := domain.ActorFrom(ctx).User
	lang := i18n.Pick(r, u.Lang)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("X-Accel-Buffering", "no") // tell an nginx in front not to buffer
	w.WriteHeader(http.StatusOK)

	send := func(format string, args ...any) bool {
		rc.SetWriteDeadline(time.Now().Add(eventWriteWait))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	event := func(name string, data any) bool {
		b, err := json.Marshal(data)
		if err != nil {
			return false
		}
		return send("event: %s\ndata: %s\n\n", name, b)
	}
	count := func() int { return s.svc.UnreadCount(ctx) }
	unread := func() bool { return event("unread", map[string]any{"kind": "unread", "unread": count()}) }
	if !send("retry: %d\n\n", eventRetry.Milliseconds()) || !unread() {
		return nil
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-sub.C:
			if !ok { // shutting down: the browser reconnects, maybe elsewhere
				return nil
			}
			if !sendEvent(ev, lang, event, count) {
				return nil
			}
		case <-tick.C:
			if err := s.svc.CheckSubscription(ctx, sub); err != nil {
				if domain.ErrorCode(err) == domain.Unauthorized {
					event("end", map[string]string{"kind": "end"}) // the page stops listening
				}
				return nil
			}
			if !send(": ping\n\n") {
				return nil
			}
		}
	}
}

// sendEvent writes one hub event in the shape the page's script reads. The
// toast text is the inbox kind and the matter's number in the user's
// language, never the inbox text (which may quote the parties).
func sendEvent(ev casework.Broadcast, lang string, event func(string, any) bool, unread func() int) bool {
	switch ev.Kind {
	case casework.BroadcastNotification:
		text := i18n.T(lang, "inbox.kind."+ev.Notice)
		if ev.Number != "" {
			text += " · " + ev.Number
		}
		return event(ev.Kind, map[string]any{"kind": ev.Kind, "user_id": ev.UserID, "case_id": ev.CaseID, "number": ev.Number,
			"text": text, "unread": unread()})
	case casework.BroadcastCaseRegistered:
		return event(ev.Kind, map[string]any{"kind": ev.Kind, "case_id": ev.CaseID, "number": ev.Number, "org_path": ev.OrgPath})
	case casework.BroadcastResync:
		return event("unread", map[string]any{"kind": "unread", "unread": unread()})
	}
	return true
}
