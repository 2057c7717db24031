package domain

import "time"

// Idempotent is a stored response to a POST with an Idempotency-Key.
type Idempotent struct {
	Method, Path string
	Status       int
	Body         string
	CreatedAt    time.Time
}
