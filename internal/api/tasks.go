package api

import (
	"net/http"

	"jiefen/internal/httpx"
)

// tasksHandler answers GET /api/v1/work/tasks: the matters waiting for the
// caller (the home page's 我的任务), the most urgent first.
func (a *API) tasksHandler(w http.ResponseWriter, r *http.Request) error {
	tasks, err := a.svc.Tasks(r.Context())
	if err != nil {
		return err
	}
	type item struct {
		ID      int64  `json:"id"`
		Number  string `json:"number"`
		Title   string `json:"title"`
		Place   string `json:"place"`
		Status  string `json:"status"`
		Risk    string `json:"risk"`
		Kind    string `json:"kind"`
		DueAt   string `json:"due_at"`
		Urgency string `json:"urgency"`
		Paused  bool   `json:"paused"`
	}
	items := []item{}
	for _, t := range tasks {
		items = append(items, item{t.ID, t.Number, t.Title, t.OrgName, string(t.Status), string(t.Risk), t.Kind, rfc(t.Due),
			[]string{"late", "soon", "later"}[t.Urgency], t.Paused})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}
