package domain

import "context"

// Actor is who is acting in a request: the user (nil for an anonymous
// visitor), where from, and the request's ID for the audit log.
type Actor struct {
	User      *User
	IP        string
	RequestID string
	SessionID int64 // the server-side session row, 0 for a token or CLI
	TokenID   int64
	Via       string // "web", "api", "cli"
}

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor, or an anonymous one.
func ActorFrom(ctx context.Context) *Actor {
	if a, ok := ctx.Value(actorKey{}).(*Actor); ok && a != nil {
		return a
	}
	return &Actor{}
}

// SystemActor is the actor for operator CLI commands and background jobs.
func SystemActor(via string) *Actor { return &Actor{IP: "local", Via: via} }
