package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

type input struct {
	A string `json:"a"`
	N int    `json:"n"`
}

// richInput exercises nested values in the fuzz target.
type richInput struct {
	A    string            `json:"a"`
	N    int               `json:"n"`
	B    bool              `json:"b"`
	F    float64           `json:"f"`
	P    *int64            `json:"p"`
	List []string          `json:"list"`
	Map  map[string]int    `json:"map"`
	Sub  *input            `json:"sub"`
	Raw  json.RawMessage   `json:"raw"`
	Any  any               `json:"any"`
	Tags map[string]string `json:"tags"`
}

func domainErr(t *testing.T, err error) *domain.Error {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T) is not a *domain.Error", err, err)
	}
	return de
}

func TestDecodeJSONBytes(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		key    string            // "" means success
		fields map[string]string // checked when not nil
		want   input
	}{
		{"valid", `{"a":"x","n":3}`, "", nil, input{"x", 3}},
		{"valid subset", `{"n":-7}`, "", nil, input{N: -7}},
		{"valid empty object", `{}`, "", nil, input{}},
		{"valid with whitespace", " \n\t{\"a\" : \"子洲\" }\r\n ", "", nil, input{A: "子洲"}},
		{"valid escapes", `{"a":"\u5b50\n"}`, "", nil, input{A: "子\n"}},

		{"empty", ``, "json.empty", nil, input{}},
		{"whitespace only", " \n\t ", "json.empty", nil, input{}},
		{"malformed missing colon", `{"a" "x"}`, "json.malformed", nil, input{}},
		{"malformed truncated", `{"a":`, "json.malformed", nil, input{}},
		{"malformed trailing comma", `{"a":"x",}`, "json.malformed", nil, input{}},
		{"malformed single quotes", `{'a':'x'}`, "json.malformed", nil, input{}},
		{"malformed bare word", `hello`, "json.malformed", nil, input{}},
		{"malformed BOM", "\ufeff{}", "json.malformed", nil, input{}},
		{"unknown field", `{"a":"x","b":1}`, "json.unknown_field", map[string]string{"b": "json.unknown_field"}, input{}},
		{"unknown field first", `{"is_admin":true,"a":"x"}`, "json.unknown_field", map[string]string{"is_admin": "json.unknown_field"}, input{}},
		{"wrong type string for int", `{"n":"3"}`, "json.wrong_type", map[string]string{"n": "json.wrong_type"}, input{}},
		{"wrong type int for string", `{"a":1}`, "json.wrong_type", map[string]string{"a": "json.wrong_type"}, input{}},
		{"wrong type float for int", `{"n":1.5}`, "json.wrong_type", map[string]string{"n": "json.wrong_type"}, input{}},
		{"wrong type overflow", `{"n":99999999999999999999}`, "json.wrong_type", map[string]string{"n": "json.wrong_type"}, input{}},
		{"wrong type object for string", `{"a":{}}`, "json.wrong_type", map[string]string{"a": "json.wrong_type"}, input{}},
		{"top-level array", `[]`, "json.wrong_type", map[string]string{"_": "json.wrong_type"}, input{}},
		{"top-level string", `"x"`, "json.wrong_type", map[string]string{"_": "json.wrong_type"}, input{}},
		{"invalid utf8 in value", "{\"a\":\"\xff\"}", "json.invalid_utf8", nil, input{}},
		{"invalid utf8 outside", "{\"a\":\"x\"}\xc3", "json.invalid_utf8", nil, input{}},
		{"trailing object", `{"a":"x"} {}`, "json.trailing", nil, input{}},
		{"trailing garbage", `{"a":"x"}garbage`, "json.trailing", nil, input{}},
		{"trailing bracket", `{"a":"x"}]`, "json.trailing", nil, input{}},
		{"trailing brace", `{"a":"x"}}`, "json.trailing", nil, input{}},
		{"two objects no space", `{"a":"x"}{"a":"y"}`, "json.trailing", nil, input{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got input
			err := httpx.DecodeJSONBytes([]byte(tt.body), &got)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("DecodeJSONBytes(%q) = %v", tt.body, err)
				}
				if got != tt.want {
					t.Errorf("decoded %+v, want %+v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeJSONBytes(%q) = nil (decoded %+v), want %s", tt.body, got, tt.key)
			}
			de := domainErr(t, err)
			if de.Code != domain.Invalid || de.Key != tt.key {
				t.Errorf("DecodeJSONBytes(%q) = %s %s, want invalid %s", tt.body, de.Code, de.Key, tt.key)
			}
			if tt.fields != nil && !reflect.DeepEqual(de.Fields, tt.fields) {
				t.Errorf("Fields = %v, want %v", de.Fields, tt.fields)
			}
			if httpx.StatusFor(de.Code) != http.StatusUnprocessableEntity {
				t.Errorf("status %d", httpx.StatusFor(de.Code))
			}
		})
	}
}

func TestDecodeJSONBytesMalformedOffset(t *testing.T) {
	err := httpx.DecodeJSONBytes([]byte(`{"a" "x"}`), &input{})
	de := domainErr(t, err)
	if len(de.Args) != 1 || de.Args[0] != int64(6) {
		t.Errorf("Args = %#v, want the syntax error offset 6 (bytes read before the error)", de.Args)
	}
}

func newRequest(body []byte, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/cases", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestDecodeJSON(t *testing.T) {
	// A valid body of exactly MaxJSONBody bytes.
	exact := []byte(`{"a":"` + strings.Repeat("x", httpx.MaxJSONBody-8) + `"}`)
	if len(exact) != httpx.MaxJSONBody {
		t.Fatalf("exact body is %d bytes", len(exact))
	}
	over := []byte(`{"a":"` + strings.Repeat("x", httpx.MaxJSONBody) + `"}`)
	tests := []struct {
		name string
		body []byte
		ct   string
		key  string
	}{
		{"json", []byte(`{"a":"x","n":1}`), "application/json", ""},
		{"json with charset", []byte(`{"a":"x"}`), "application/json; charset=utf-8", ""},
		{"no content type", []byte(`{"a":"x"}`), "", ""},
		{"exactly the limit", exact, "application/json", ""},
		{"over the limit", over, "application/json", "json.too_large"},
		{"one byte over", append(bytes.Clone(exact), ' '), "application/json", "json.too_large"},
		{"text/plain", []byte(`{"a":"x"}`), "text/plain", "json.content_type"},
		{"form", []byte(`a=x`), "application/x-www-form-urlencoded", "json.content_type"},
		{"multipart", []byte(`{"a":"x"}`), "multipart/form-data; boundary=x", "json.content_type"},
		{"content type checked first", over, "text/plain", "json.content_type"},
		{"parser errors pass through", []byte(`{"b":1}`), "application/json", "json.unknown_field"},
		{"empty", nil, "application/json", "json.empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got input
			err := httpx.DecodeJSON(httptest.NewRecorder(), newRequest(tt.body, tt.ct), &got)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("DecodeJSON = %v", err)
				}
				if got.A == "" {
					t.Error("nothing decoded")
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeJSON = nil, want %s", tt.key)
			}
			if de := domainErr(t, err); de.Code != domain.Invalid || de.Key != tt.key {
				t.Errorf("DecodeJSON = %v, want invalid %s", err, tt.key)
			}
		})
	}

	// A body that cannot be read.
	r := httptest.NewRequest(http.MethodPost, "/", iotest.ErrReader(errors.New("connection reset")))
	err := httpx.DecodeJSON(httptest.NewRecorder(), r, &input{})
	if de := domainErr(t, err); de.Key != "json.unreadable" || de.Code != domain.Invalid {
		t.Errorf("unreadable body: %v", err)
	}
}

func cidrs(t *testing.T, ss ...string) []*net.IPNet {
	t.Helper()
	var out []*net.IPNet
	for _, s := range ss {
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestClientIP(t *testing.T) {
	trusted := cidrs(t, "10.0.0.0/8", "127.0.0.1/32", "fd00::/8")
	tests := []struct {
		name    string
		remote  string
		xff     string
		trusted []*net.IPNet
		want    string
	}{
		{"direct", "203.0.113.7:51234", "", nil, "203.0.113.7"},
		{"direct ignores xff", "203.0.113.7:51234", "1.2.3.4", nil, "203.0.113.7"},
		{"untrusted peer ignores xff", "203.0.113.7:51234", "1.2.3.4", trusted, "203.0.113.7"},
		{"trusted peer uses xff", "10.0.0.5:443", "198.51.100.9", trusted, "198.51.100.9"},
		{"trusted peer uses last hop", "10.0.0.5:443", "6.6.6.6, 198.51.100.9", trusted, "198.51.100.9"},
		{"last hop without space", "10.0.0.5:443", "6.6.6.6,198.51.100.9", trusted, "198.51.100.9"},
		{"last hop with many spaces", "127.0.0.1:443", "6.6.6.6,    198.51.100.9", trusted, "198.51.100.9"},
		{"trusted peer without xff", "10.0.0.5:443", "", trusted, "10.0.0.5"},
		{"trusted peer with garbage xff", "10.0.0.5:443", "not-an-ip", trusted, "10.0.0.5"},
		{"garbage last hop", "10.0.0.5:443", "198.51.100.9, evil", trusted, "10.0.0.5"},
		{"empty last hop", "10.0.0.5:443", "198.51.100.9,", trusted, "10.0.0.5"},
		{"xff with port is refused", "10.0.0.5:443", "198.51.100.9:1234", trusted, "10.0.0.5"},
		{"ipv6 peer", "[2001:db8::1]:443", "", nil, "2001:db8::1"},
		{"ipv6 trusted peer", "[fd00::1]:443", "2001:db8::2", trusted, "2001:db8::2"},
		{"ipv6 peer normalized", "[2001:0db8:0000::0001]:443", "", nil, "2001:db8::1"},
		{"no port", "192.0.2.1", "", nil, "192.0.2.1"},
		{"not an address", "pipe", "1.2.3.4", trusted, "pipe"},
		{"empty remote", "", "1.2.3.4", trusted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := httpx.ClientIP(r, tt.trusted); got != tt.want {
				t.Errorf("ClientIP(remote %q, xff %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
}

func TestStatusFor(t *testing.T) {
	tests := []struct {
		code domain.Code
		want int
	}{
		{domain.Invalid, http.StatusUnprocessableEntity},
		{domain.NotFound, http.StatusNotFound},
		{domain.Conflict, http.StatusConflict},
		{domain.Forbidden, http.StatusForbidden},
		{domain.Unauthorized, http.StatusUnauthorized},
		{domain.TooMany, http.StatusTooManyRequests},
		{domain.Unavailable, http.StatusServiceUnavailable},
		{domain.Internal, http.StatusInternalServerError},
		{"", http.StatusInternalServerError},
		{"teapot", http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if got := httpx.StatusFor(tt.code); got != tt.want {
			t.Errorf("StatusFor(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

// FuzzDecodeJSON checks the strict decoder never panics, speaks only
// Invalid *domain.Error with a json.* key, and accepts only valid JSON.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":"x","n":3}`,
		`{"a":"x","b":1}`,
		`{"n":"3"}`,
		`{"a":"x"} {}`,
		`{"a":"x"}]`,
		`{"a":`,
		``,
		"{\"a\":\"\xff\"}",
		`[]`,
		`null`,
		`{"sub":{"a":"y","zz":1},"list":["a",1],"map":{"k":"v"},"p":1e400,"raw":[{}],"any":{"x":[null]}}`,
		`{"a":"\ud800\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(err error) {
			if err == nil {
				if !utf8.Valid(body) {
					t.Fatalf("accepted invalid UTF-8 %q", body)
				}
				if !json.Valid(body) {
					t.Fatalf("accepted invalid JSON %q", body)
				}
				return
			}
			de, ok := err.(*domain.Error)
			if !ok {
				t.Fatalf("error %v is %T, not *domain.Error", err, err)
			}
			if de.Code != domain.Invalid || !strings.HasPrefix(de.Key, "json.") {
				t.Fatalf("error %+v: want code invalid and a json.* key", de)
			}
			for field, key := range de.Fields {
				if key != de.Key {
					t.Fatalf("bad field entry %q: %q in %+v", field, key, de)
				}
			}
		}
		var in input
		check(httpx.DecodeJSONBytes(body, &in))
		var rich richInput
		check(httpx.DecodeJSONBytes(body, &rich))
		check(httpx.DecodeJSON(httptest.NewRecorder(), newRequest(body, "application/json"), &input{}))
	})
}

// A request the client gave up on is not an internal error: it gets 499
// and no error line in the log; the same error on a live request is a 500.
func TestDescribeClientCanceled(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest(http.MethodGet, "/api/v1/cases", nil).WithContext(ctx)
	if status, d := httpx.Describe(r, log, "zh-CN", fmt.Errorf("store: list cases: %w", context.Canceled)); status != 499 || d.Code != "canceled" {
		t.Fatalf("canceled: %d %+v", status, d)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("a canceled request was logged as an error:\n%s", logs.String())
	}
	live := httptest.NewRequest(http.MethodGet, "/api/v1/cases", nil)
	if status, _ := httpx.Describe(live, log, "zh-CN", context.Canceled); status != http.StatusInternalServerError {
		t.Fatalf("a live request's cancel error: %d", status)
	}
}
