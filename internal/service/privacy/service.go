// Package privacy holds the use-cases of the rights of the people in the
// data (PIPL 44–47, SECURITY.md PI-1, PI-6, PI-8): find everything held
// about a person for a lawful request, make their copy once a second
// person approves, correct it as an event on the matter's timeline,
// anonymise what is past its retention period (rules kept as data, run by
// a job), the processing record generated from the field inventory, and
// the breach question "whose records did this account view".
//
// The people in the data are the parties of matters and the households
// of group matters' lists; their ID numbers and phones are sealed and
// found through keyed blind indexes (internal/crypto).
package privacy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"jiefen/internal/app"
	"jiefen/internal/domain"
)

// Service is the privacy context on the shared kernel.
type Service struct {
	*app.Kernel
	instance string // this server's name as a job lease's holder
}

// New builds the context on k.
func New(k *app.Kernel) *Service {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &Service{Kernel: k, instance: "privacy-" + hex.EncodeToString(b)}
}

// errNoKeys answers a use-case that needs the keyring before it is given.
var errNoKeys = errors.New("privacy: no keyring configured")

// lawful checks a lawful request's reference (登记编号: required, at most
// 64 characters) and the reason (required, at most 200).
func lawful(ref, reason string) (string, string, error) {
	f := domain.FieldErrors{}
	ref, reason = strings.TrimSpace(ref), strings.TrimSpace(reason)
	if ref == "" {
		f.Add("ref", "privacy.ref")
	} else if !utf8.ValidString(ref) || utf8.RuneCountInString(ref) > 64 || strings.ContainsFunc(ref, isControl) {
		f.Add("ref", "field.too_long")
	}
	if reason == "" || !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > 200 {
		f.Add("reason", "privacy.reason")
	}
	return ref, reason, f.Err()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// actorName is how the timeline names who acted: the account's name, the
// operator's principal, or the retention job.
func actorName(ctx context.Context) (int64, string) {
	a := domain.ActorFrom(ctx)
	if a.User != nil {
		return a.User.ID, a.User.Name
	}
	if p := a.Principal(); p != nil {
		return 0, p.Username
	}
	return 0, JobName
}

// JobName names the retention job on the timeline.
const JobName = "保存期限作业"

// requestDetail is a lawful request in the audit log's words.
func requestDetail(ref, reason string) string {
	return fmt.Sprintf("request %s, reason: %s", ref, reason)
}
