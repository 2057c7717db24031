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
	Token     *Token // the API token of the request (nil for a session, a job or the CLI)
	Via       string // "web", "api", "cli"
	operator  bool   // the operator of the command line (OperatorActor)
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

// OperatorActor is the actor of the operator's command line and of the
// server's own start-up work: it acts with the machine's authority (whoever
// runs it can read the database file anyway), masked like everyone else.
func OperatorActor() *Actor { return &Actor{IP: "local", Via: "cli", operator: true} }

// JobActor is the actor of the server's background jobs (the deadline
// sweep): no account and no principal; a job does its work below the
// authorization check.
func JobActor() *Actor { return &Actor{IP: "local", Via: "job"} }

// operator is the principal of OperatorActor: no account (ID 0), the whole
// tree, and the one role RoleOperator that authz grants what the command
// line may do.
var operator = User{Username: "(cli)", Roles: []Role{RoleOperator}, OrgPath: "/"}

// Principal is who authorization asks about: the signed-in account, the
// operator's principal, or nil for an anonymous visitor. Use User for what
// belongs to an account (its sessions, inbox, password), Principal for what
// the actor may do and see.
func (a *Actor) Principal() *User {
	if a.User != nil {
		return a.User
	}
	if a.operator {
		u := operator
		return &u
	}
	return nil
}
