package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"jiefen/internal/domain"
)

// MaxJSONBody caps JSON request bodies.
const MaxJSONBody = 1 << 20

// DecodeJSON reads exactly one JSON object into v. It refuses an oversized
// body, invalid UTF-8, unknown fields, wrong field types and trailing data,
// each with a specific error key; it never panics.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return &domain.Error{Code: domain.Invalid, Key: "json.content_type"}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &domain.Error{Code: domain.Invalid, Key: "json.too_large", Args: []any{MaxJSONBody}}
		}
		return &domain.Error{Code: domain.Invalid, Key: "json.unreadable"}
	}
	return DecodeJSONBytes(body, v)
}

// DecodeJSONBytes is DecodeJSON's parser, separate for fuzzing.
func DecodeJSONBytes(body []byte, v any) error {
	if !utf8.Valid(body) {
		return &domain.Error{Code: domain.Invalid, Key: "json.invalid_utf8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.Is(err, io.EOF):
			return &domain.Error{Code: domain.Invalid, Key: "json.empty"}
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = "_"
			}
			return &domain.Error{Code: domain.Invalid, Key: "json.wrong_type", Fields: map[string]string{field: "json.wrong_type"}}
		case errors.As(err, &se):
			return &domain.Error{Code: domain.Invalid, Key: "json.malformed", Args: []any{se.Offset}}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &domain.Error{Code: domain.Invalid, Key: "json.unknown_field", Fields: map[string]string{name: "json.unknown_field"}}
		default:
			return &domain.Error{Code: domain.Invalid, Key: "json.malformed", Args: []any{0}}
		}
	}
	if dec.More() {
		return &domain.Error{Code: domain.Invalid, Key: "json.trailing"}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &domain.Error{Code: domain.Invalid, Key: "json.trailing"}
	}
	return nil
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}
