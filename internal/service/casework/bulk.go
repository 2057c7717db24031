package casework

// NewQueryCode makes a citizen's random query code (XXXXX-XXXXX).
func NewQueryCode() string { return queryCode() }
