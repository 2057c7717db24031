// Package casework holds the life of a matter: registration, the workflow
// actions, colours and lead leaders, related and group matters,
// attachments, the citizen's tracking, the inbox and deadline sweeps, and
// the live broadcast of changes to open screens.
package casework

import (
	"sync"

	"jiefen/internal/app"
	"jiefen/internal/service/identity"
	"jiefen/internal/service/registry"
)

// Service holds the casework use-cases.
type Service struct {
	*app.Kernel
	id       *identity.Service
	reg      *registry.Service
	filesDir string
	notifier Notifier
	hub      *hub

	digestMu  sync.Mutex
	digestDay string // the China day whose overdue digests this instance has sent
}

// New builds the casework use-cases on the kernel; id answers who is
// signed in (live screens re-check their session), reg routes and assesses.
func New(k *app.Kernel, id *identity.Service, reg *registry.Service, crossInstance bool) *Service {
	s := &Service{Kernel: k, id: id, reg: reg, notifier: LogNotifier{k.Logger()}, hub: newHub(crossInstance)}
	id.OnMove(s.afterMove)
	return s
}
