package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
)

// token: create, list and revoke API tokens, as the operator.
func (e *env) token(args []string) error {
	return e.runSub("token", "create, list or revoke", args, map[string]subFunc{
		"create": e.tokenCreate,
		"list":   e.tokenList,
		"revoke": e.tokenRevoke,
	})
}

func (e *env) tokenCreate(f *flags, db *string, args []string) error {
	username := f.String("username", "", "the account the token acts as")
	label := f.String("name", "cli", "a label to recognise the token by")
	scopes := f.String("scope", "read", "what the token may be used for, comma-separated: "+scopeList())
	days := f.Int("days", 0, "days until it expires (default: the policy's, 90; at most its maximum)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *username == "" {
		return usageError{"token create: --username is required"}
	}
	if *days < 0 {
		return usageError{"token create: --days must be a positive number of days"}
	}
	sc, err := domain.ParseScopes(*scopes)
	if err != nil {
		return err
	}
	if len(sc) == 0 {
		return usageError{"token create: --scope names no scope (choose from " + scopeList() + ")"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		secret, t, err := svc.CreateToken(ctx, identity.TokenRequest{Username: *username, Name: *label, Scopes: sc, Days: *days})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, secret)
		fmt.Fprintf(e.stderr, "token %d for %s created (scopes %s; expires %s); it is shown only this once\n",
			t.ID, *username, domain.JoinScopes(t.Scopes), t.ExpiresAt.In(domain.CST).Format("2006-01-02 15:04"))
		return nil
	})
}

func scopeList() string { return strings.Join(scopeStrings(domain.Scopes), ", ") }

// tokenList prints one account's tokens, or the live tokens of every
// account (--all: every token, expired and revoked too).
func (e *env) tokenList(f *flags, db *string, args []string) error {
	username := f.String("username", "", "one account's tokens (default: every account's)")
	all := f.Bool("all", false, "with no --username: expired and revoked tokens too")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		var ts []*domain.Token
		if *username != "" {
			u, err := svc.UserByUsername(ctx, *username)
			if err != nil {
				return err
			}
			if ts, err = svc.Tokens(ctx, u.ID); err != nil {
				return err
			}
			for _, t := range ts {
				t.Username = u.Username
			}
		} else {
			var err error
			if ts, err = allTokens(ctx, svc, *all); err != nil {
				return err
			}
		}
		return printTokens(e.stdout, ts, svc.Now())
	})
}

// allTokens reads every page of the tokens of every account.
func allTokens(ctx ctxT, svc *service.Service, all bool) ([]*domain.Token, error) {
	f := domain.TokenFilter{State: domain.TokenActive, Limit: 500}
	if all {
		f.State = ""
	}
	var out []*domain.Token
	for {
		page, err := svc.AllTokens(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// printTokens writes tokens as a table: the secret never, the state with
// who revoked it and why, the last use with its address.
func printTokens(w io.Writer, ts []*domain.Token, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSER\tNAME\tPREFIX\tSCOPES\tCREATED\tEXPIRES\tLAST USED\tFROM\tSTATUS")
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.In(domain.CST).Format("2006-01-02 15:04")
	}
	for _, t := range ts {
		status := t.State(now)
		if status == domain.TokenRevoked {
			status = fmt.Sprintf("revoked %s (%s by %s)", when(t.RevokedAt), t.RevokeReason, t.RevokedBy)
		}
		from := t.LastUsedIP
		if from == "" {
			from = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, t.Prefix, strings.Join(scopeStrings(t.Scopes), ","),
			when(t.CreatedAt), when(t.ExpiresAt), when(t.LastUsedAt), from, status)
	}
	return tw.Flush()
}

func scopeStrings(sc []domain.Scope) []string {
	out := make([]string, len(sc))
	for i, s := range sc {
		out[i] = string(s)
	}
	return out
}

func (e *env) tokenRevoke(f *flags, db *string, args []string) error {
	id := f.String("id", "", "token ID (from token list)")
	if err := f.parse(args); err != nil {
		return err
	}
	n, err := strconv.ParseInt(*id, 10, 64)
	if err != nil || n <= 0 {
		return usageError{"token revoke: --id must be a token number"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		if err := svc.RevokeToken(ctx, n, domain.TokenRevokedAdmin); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked token %d\n", n)
		return nil
	})
}

// servePolicy is the default security policy with the longest token life
// given in days (--token-max-days, JIEFEN_TOKEN_MAX_DAYS; "" keeps 365).
func servePolicy(tokenMaxDays string) (identity.Policy, error) {
	p := identity.DefaultPolicy()
	if tokenMaxDays == "" {
		return p, nil
	}
	n, err := strconv.Atoi(tokenMaxDays)
	if err != nil || n < 1 || n > 3650 {
		return p, usageError{"--token-max-days must be a number of days from 1 to 3650"}
	}
	p.TokenMaxAge = time.Duration(n) * 24 * time.Hour
	return p, nil
}
