package web

import (
	"context"
	"net/http"
	"net/url"

	"jiefen/internal/domain"
)

// searchValues reads the list's address values q twice: show, with the
// search text in "q" (what the list filters by and the form shows), and
// link, where a search by ID number or phone is its sealed reference "s"
// instead (what every address the page makes carries: the pages, the
// chips, the ledger). A reference that does not open for this sign-in is
// a field error on the search, and the list is shown without it.
func (s *Server) searchValues(ctx context.Context, q url.Values) (show, link url.Values, fields map[string]string, err error) {
	show, link, fields = cloneValues(q), cloneValues(q), map[string]string{}
	if ref := q.Get("s"); ref != "" {
		show.Del("s")
		text, err := s.svc.OpenSearch(ctx, ref)
		if err != nil {
			if de, ok := err.(*domain.Error); ok && de.Code == domain.Invalid {
				link.Del("s")
				return show, link, de.Fields, nil
			}
			return nil, nil, nil, err
		}
		show.Set("q", text)
		link.Del("q")
		return show, link, fields, nil
	}
	if text := q.Get("q"); domain.IdentifyingSearch(text) {
		ref, err := s.svc.SealSearch(ctx, text)
		if err != nil {
			return nil, nil, nil, err
		}
		link.Del("q")
		link.Set("s", ref)
	}
	return show, link, fields, nil
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// filterCases answers the list's filter form, which is posted so that a
// search by ID number or phone never enters an address: it sends the
// browser to the list's address for the filters given (such a search as
// its reference), leaving out the empty fields.
func (s *Server) filterCases(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.form"}
	}
	q := url.Values{}
	for k, v := range r.PostForm {
		if k != "csrf" && len(v) > 0 && v[0] != "" {
			q[k] = v
		}
	}
	_, link, _, err := s.searchValues(r.Context(), q)
	if err != nil {
		return err
	}
	http.Redirect(w, r, listAddress(link), http.StatusSeeOther)
	return nil
}

// listAddress is the list's address for the values q.
func listAddress(q url.Values) string {
	if len(q) == 0 {
		return "/cases"
	}
	return "/cases?" + q.Encode()
}
