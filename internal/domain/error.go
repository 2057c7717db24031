// Package domain holds jiefen's entities, their validation rules and the one
// error type every layer speaks. It imports neither net/http nor database/sql.
package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error; the web and API layers map each code to one status.
type Code string

const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	TooMany      Code = "too_many_requests"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
)

// Error is the single error type of jiefen. Key is an i18n message key, never
// English text; Fields carries per-field message keys for form and API errors.
type Error struct {
	Code   Code
	Key    string
	Args   []any
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Key
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a message key.
func Errorf(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Name is a message argument that is itself a message key: an action's, a
// status's or a risk's display name ("action.assess", "status.assessed").
// The surface translates it into the reader's language when it renders the
// message, so a code never reaches the text.
type Name string

// MessageKey is the key the catalogue translates (i18n.T looks for it).
func (n Name) MessageKey() string { return string(n) }

// ActionName, StatusName and RiskName are the Names of a code.
func ActionName(action string) Name { return Name("action." + action) }
func StatusName(st Status) Name     { return Name("status." + string(st)) }
func RiskName(r Risk) Name          { return Name("risk." + string(r)) }

// ErrNotFound is returned (wrapped) when a record does not exist.
var ErrNotFound = &Error{Code: NotFound, Key: "error.not_found"}

// ErrForbidden is returned when the authorization check fails.
var ErrForbidden = &Error{Code: Forbidden, Key: "error.forbidden"}

// ErrorCode returns the code of err, or Internal for an unknown error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return Internal
}

// ErrorKey is err's message key ("" when err is not a domain error).
func ErrorKey(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Key
	}
	return ""
}

// Is lets errors.Is match two domain errors of the same code and key.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Key == e.Key
}

// FieldErrors collects per-field message keys; Err returns nil when empty.
type FieldErrors map[string]string

// Add records the first message for a field.
func (f FieldErrors) Add(field, key string) {
	if _, ok := f[field]; !ok {
		f[field] = key
	}
}

// Err turns the collected messages into an Invalid error, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Key: "error.invalid", Fields: f}
}
