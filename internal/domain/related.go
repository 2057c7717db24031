package domain

// Related is a matter that may be related to another, with the reasons.
type Related struct {
	ID          int64    `json:"id"`
	Number      string   `json:"number"`
	Status      string   `json:"status"`
	Description string   `json:"description"`
	Reasons     []string `json:"reasons"`
}
