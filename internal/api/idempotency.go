package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

// idempotent makes a POST with an Idempotency-Key header safe to retry: the
// first request acts and its response is stored; a retry with the same key
// gets that response (marked Idempotent-Replayed) instead of acting twice.
func (a *API) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" || domain.ActorFrom(r.Context()).User == nil {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 100 {
			httpx.WriteError(w, r, a.log, &domain.Error{Code: domain.Invalid, Key: "api.idempotency_key", Fields: map[string]string{"Idempotency-Key": "api.idempotency_key"}})
			return
		}
		// The key stands for this exact request: path and body.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			httpx.WriteError(w, r, a.log, &domain.Error{Code: domain.Invalid, Key: "json.too_large", Args: []any{httpx.MaxJSONBody}})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		fingerprint := r.URL.Path + " " + hex.EncodeToString(sum[:])
		stored, fresh, err := a.svc.ReserveIdempotency(r.Context(), key, r.Method, fingerprint)
		if err != nil {
			httpx.WriteError(w, r, a.log, err)
			return
		}
		if !fresh {
			switch {
			case stored.Method != r.Method || stored.Path != fingerprint:
				httpx.WriteError(w, r, a.log, &domain.Error{Code: domain.Invalid, Key: "api.idempotency_reused"})
			case stored.Status == 0:
				httpx.WriteError(w, r, a.log, &domain.Error{Code: domain.Conflict, Key: "api.idempotency_in_progress"})
			default:
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(stored.Status)
				w.Write([]byte(stored.Body))
			}
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if err := a.svc.CompleteIdempotency(r.Context(), key, rec.status, rec.buf.String()); err != nil {
			a.log.Error("idempotency: store response", "err", err, "status", strconv.Itoa(rec.status))
		}
	})
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(s int) { r.status = s; r.ResponseWriter.WriteHeader(s) }
func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}
