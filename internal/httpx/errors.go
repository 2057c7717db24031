package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
)

// ErrorBody is the JSON error shape of the API.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries a stable code, a stable reason key, a translated
// message, per-field messages and the request ID.
type ErrorDetail struct {
	Code      string            `json:"code"`
	Reason    string            `json:"reason"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id"`
}

// Describe turns err into a status and an ErrorDetail in lang. Internal
// errors are logged once here and shown only as a generic message.
func Describe(r *http.Request, log *slog.Logger, lang string, err error) (int, ErrorDetail) {
	rid := RequestID(r.Context())
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away (closed the tab, timed out): nobody reads
		// this answer, and it is not the server's fault.
		log.Info("request canceled by the client", slog.Group("request", "id", rid, "method", r.Method, "path", r.URL.Path))
		return 499, ErrorDetail{Code: "canceled", Reason: "error.canceled", Message: i18n.T(lang, "error.db_unavailable"), RequestID: rid}
	}
	de, ok := errors.AsType[*domain.Error](err)
	if !ok || de.Code == domain.Internal {
		log.Error("internal error", slog.Group("request", "id", rid, "method", r.Method, "path", r.URL.Path), "err", err)
		return http.StatusInternalServerError, ErrorDetail{Code: string(domain.Internal), Reason: "error.internal",
			Message: i18n.T(lang, "error.internal"), RequestID: rid}
	}
	if de.Code == domain.Unavailable {
		log.Warn("service unavailable", slog.Group("request", "id", rid, "path", r.URL.Path), "err", err)
	}
	d := ErrorDetail{Code: string(de.Code), Reason: de.Key, Message: i18n.T(lang, de.Key, de.Args...), RequestID: rid}
	if len(de.Fields) > 0 {
		d.Fields = map[string]string{}
		for f, k := range de.Fields {
			d.Fields[f] = i18n.T(lang, k)
		}
	}
	return StatusFor(de.Code), d
}

// WriteError writes err as a JSON error.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, d := Describe(r, log, i18n.Pick(r, ""), err)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	WriteJSON(w, status, ErrorBody{d})
}
