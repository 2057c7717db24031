package report

// BoardComputes reports how many times the board's period figures were
// computed.
func BoardComputes(s *Service) int64 { return s.board.computes.Load() }

// HoldBoardComputations makes each computation of the board's period
// figures wait until release is closed.
func HoldBoardComputations(s *Service, release <-chan struct{}) { s.board.hook = func() { <-release } }
