// Package registry holds the centre's registries and the rules that route a
// matter: docking units and their duty lists, the roster, zones and windows,
// mediation organisations and mediators, lead-leader posts, the calendar
// and categories, and the assessment rules and models (internal/assess is
// the pure engine).
package registry

import "jiefen/internal/app"

// Service holds the registry use-cases.
type Service struct {
	*app.Kernel
	assess assessState
}

// New builds the registry use-cases on the kernel.
func New(k *app.Kernel) *Service { return &Service{Kernel: k} }
