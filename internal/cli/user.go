package cli

import (
	"bufio"
	"fmt"
	"strings"
	"text/tabwriter"

	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
)

const userUsage = `Usage:
  jiefen user add --username U --name NAME --role R[,R…] --org CODE --password-stdin [--phone P]
  jiefen user list [--org CODE] [--role R] [--q TEXT]
  jiefen user disable --username U
  jiefen user enable --username U
  jiefen user unlock --username U
  jiefen user reset-password --username U [--password-stdin]
  jiefen user reset-2fa --username U
  jiefen user end-sessions (--username U | --all)

Roles: receptionist, dispatcher, handler, mediator, grid_worker, leader, reviewer, admin.
`

func (e *env) user(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, userUsage)
		return usageError{"user: no subcommand given"}
	}
	f := e.newFlags("user " + args[0])
	db := f.str("db", DefaultDB, "database DSN")
	switch args[0] {
	case "add":
		return e.userAdd(f, db, args[1:])
	case "list":
		return e.userList(f, db, args[1:])
	case "disable", "enable", "unlock", "reset-password", "reset-2fa", "end-sessions":
		return e.userAccount(f, db, args[0], args[1:])
	}
	fmt.Fprint(e.stderr, userUsage)
	return usageError{fmt.Sprintf("user: unknown subcommand %q", args[0])}
}

// userAdd creates an account with an initial password read from standard
// input.
func (e *env) userAdd(f *flags, db *string, args []string) error {
	username := f.String("username", "", "login ID (3–32 of a-z 0-9 . _ -)")
	name := f.String("name", "", "the person's name")
	roles := f.String("role", "", "role or comma-separated roles")
	org := f.String("org", "", "division or grid-cell code of the account's jurisdiction")
	phone := f.String("phone", "", "mobile number (optional)")
	lang := f.String("lang", "", "interface language: zh-CN or en (optional)")
	pwStdin := f.Bool("password-stdin", false, "read the initial password from the first line of standard input")
	if err := f.parse(args); err != nil {
		return err
	}
	if !*pwStdin {
		return usageError{"user add: --password-stdin is required (passwords are never given on the command line)"}
	}
	rs, err := domain.ParseRoles(*roles)
	if err != nil {
		return err
	}
	pw, err := e.readPassword()
	if err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		u, err := svc.CreateUser(ctx, identity.NewUser{Username: *username, Name: *name, Phone: *phone, Roles: rs, OrgCode: *org, Lang: *lang, Password: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created user %s (id %d, %s, %s); the password must be changed at first login within 24 hours\n",
			u.Username, u.ID, domain.JoinRoles(u.Roles), u.OrgName)
		return nil
	})
}

// userList prints the accounts (a division's, a role's, a search's), a
// page at a time.
func (e *env) userList(f *flags, db *string, args []string) error {
	org := f.String("org", "", "only accounts under this division code")
	role := f.String("role", "", "only accounts with this role")
	q := f.String("q", "", "username or name contains")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		filter := domain.UserFilter{Role: domain.Role(*role), Query: *q, Limit: 500}
		if *org != "" {
			o, err := svc.Org(ctx, *org)
			if err != nil {
				return err
			}
			filter.Path = o.Path
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLES\tORG\tSTATUS")
		for {
			users, err := svc.Users(ctx, filter)
			if err != nil {
				return err
			}
			for _, u := range users {
				status := "active"
				switch {
				case u.Disabled:
					status = "disabled"
				case u.MustChangePwd:
					status = "must-change-password"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\t%s\n", u.ID, u.Username, u.Name, domain.JoinRoles(u.Roles), u.OrgCode, u.OrgName, status)
			}
			if len(users) < filter.Limit {
				break
			}
			filter.AfterID = users[len(users)-1].ID
		}
		return tw.Flush()
	})
}

// userAccount acts on one account (sub: disable, enable, unlock,
// reset-password, reset-2fa, end-sessions), or ends every session
// (end-sessions --all).
func (e *env) userAccount(f *flags, db *string, sub string, args []string) error {
	username := f.String("username", "", "login ID")
	pwStdin := f.Bool("password-stdin", false, "reset-password: read the new initial password from standard input (default: generate one)")
	all := f.Bool("all", false, "end-sessions: end every user's sessions")
	if err := f.parse(args); err != nil {
		return err
	}
	if *username == "" && !(sub == "end-sessions" && *all) {
		return usageError{"user " + sub + ": --username is required"}
	}
	var pw string
	if *pwStdin {
		var err error
		if pw, err = e.readPassword(); err != nil {
			return err
		}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		if *all {
			n, err := svc.EndAllSessions(ctx)
			if err == nil {
				fmt.Fprintf(e.stdout, "ended %d session(s)\n", n)
			}
			return err
		}
		u, err := svc.UserByUsername(ctx, *username)
		if err != nil {
			return err
		}
		switch sub {
		case "disable", "enable":
			dis := sub == "disable"
			if _, err := svc.UpdateUser(ctx, u.ID, identity.UserPatch{Disabled: &dis, Version: u.Version}); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%sd %s\n", sub, u.Username)
		case "unlock":
			if err := svc.Unlock(ctx, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "unlocked %s\n", u.Username)
		case "reset-password":
			got, err := svc.ResetPassword(ctx, u.ID, pw)
			if err != nil {
				return err
			}
			if pw == "" {
				fmt.Fprintln(e.stdout, got)
			} else {
				fmt.Fprintf(e.stdout, "password reset for %s; it must be changed at next login within 24 hours\n", u.Username)
			}
		case "reset-2fa":
			if err := svc.ResetSecondFactor(ctx, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "second factor of %s reset: its sessions ended; it enrols an authenticator again at next sign-in\n", u.Username)
		case "end-sessions":
			n, err := svc.EndSessions(ctx, u.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "ended %d session(s) of %s\n", n, u.Username)
		}
		return nil
	})
}

// readPassword reads the first line of standard input.
func (e *env) readPassword() (string, error) {
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 1024), 1024)
	if !sc.Scan() {
		return "", usageError{"no password on standard input"}
	}
	return strings.TrimRight(sc.Text(), "\r"), nil
}
