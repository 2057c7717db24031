// Package report holds what is computed from matters for leaders and
// records: statistics and the list behind each figure, the command-centre
// board and dashboard, the ledger and its approved exports, the monthly
// report and the printed forms.
package report

import (
	"jiefen/internal/app"
	"jiefen/internal/service/casework"
)

// Service holds the report use-cases.
type Service struct {
	*app.Kernel
	cases *casework.Service
	board boardCache
}

// New builds the report use-cases on the kernel; cases answers which
// matters a list request covers and reads one matter for a printed form.
func New(k *app.Kernel, cases *casework.Service) *Service { return &Service{Kernel: k, cases: cases} }
