package web

import "time"

// SetHeartbeat shortens the event streams' keep-alive interval.
func SetHeartbeat(s *Server, d time.Duration) { s.heartbeat = d }
