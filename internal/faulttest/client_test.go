package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"jiefen/internal/domain"
)

// client calls the JSON API with the instance's token.
type client struct {
	base  string
	token string
	http  *http.Client
}

func newClient(base, token string, timeout time.Duration) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 32, ResponseHeaderTimeout: timeout}
	return &client{base: base, token: token, http: &http.Client{Timeout: timeout, Transport: tr}}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// reply is one request's outcome: an HTTP status and body, or a transport
// error (err != nil, status 0).
type reply struct {
	kind       string // register, list, get, ready
	start, end time.Time
	status     int
	body       []byte
	err        error
}

func (r reply) String() string {
	if r.err != nil {
		return fmt.Sprintf("%s after %v: %v", r.kind, r.end.Sub(r.start).Round(time.Millisecond), r.err)
	}
	b := r.body
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Sprintf("%s after %v: %d %s", r.kind, r.end.Sub(r.start).Round(time.Millisecond), r.status, b)
}

func (c *client) do(ctx context.Context, kind, method, path string, body []byte) reply {
	r := reply{kind: kind, start: time.Now()}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	if kind != "ready" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept-Language", "en")
	resp, err := c.http.Do(req)
	if err == nil {
		r.status = resp.StatusCode
		r.body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}
	r.err, r.end = err, time.Now()
	return r
}

// apiError is the API's error shape.
type apiError struct {
	Error struct {
		Code      string `json:"code"`
		Reason    string `json:"reason"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

// ack is a registration the server acknowledged with 201.
type ack struct {
	ID      int64
	Number  string
	Parties int // as sent
}

func parseAck(r reply, parties int) (ack, error) {
	var m struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil || m.ID == 0 || m.Number == "" {
		return ack{}, fmt.Errorf("201 without id and number: %s", r.body)
	}
	return ack{ID: m.ID, Number: m.Number, Parties: parties}, nil
}

// newCase returns a valid registration body with 1–4 parties (an applicant
// with an ID number and phone, then respondents and third parties).
func newCase(rng *rand.Rand) (body []byte, parties int) {
	type party struct {
		Kind       string `json:"kind,omitempty"`
		Role       string `json:"role"`
		Name       string `json:"name"`
		IDNumber   string `json:"id_number,omitempty"`
		NoIDReason string `json:"no_id_reason,omitempty"`
		Phone      string `json:"phone,omitempty"`
	}
	ps := []party{{Role: "applicant", Name: "王小明", IDNumber: idNumber(rng), Phone: fmt.Sprintf("139%08d", rng.IntN(1e8))}}
	for i := range rng.IntN(4) {
		switch i % 3 {
		case 0:
			ps = append(ps, party{Kind: "org", Role: "respondent", Name: "子洲某建筑公司"})
		case 1:
			ps = append(ps, party{Role: "respondent", Name: "李四", IDNumber: idNumber(rng)})
		default:
			ps = append(ps, party{Role: "third_party", Name: "张三", NoIDReason: "unknown"})
		}
	}
	b, err := json.Marshal(map[string]any{
		"channel": "visit", "category": "labour", "org_code": "610831101200", "address": "何家集村砖厂",
		"description": "务工人员被包工头拖欠工资三个月，请求协调解决。", "amount": 80000, "people_count": 12, "parties": ps,
	})
	if err != nil {
		panic(err)
	}
	return b, len(ps)
}

// idNumber makes a valid resident ID number of someone born in Zizhou
// between 1950 and 1999.
func idNumber(rng *rand.Rand) string {
	s := fmt.Sprintf("610831%02d%02d%02d%03d", 50+rng.IntN(50), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(1000))
	id, err := domain.UpgradeID15(s)
	if err != nil {
		panic(err)
	}
	return id
}
