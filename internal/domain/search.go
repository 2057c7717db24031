package domain

import (
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SearchTokens splits text into the tokens the full-text index holds: each
// run of CJK characters becomes its overlapping bigrams (土地承包 → 土地 地承
// 承包; a lone character stays as itself), other letters and digits become
// lower-case words. Text is NFKC-normalised first (full-width ３组 → 3组).
// CJK tokens are hex-encoded ("x" + hex of the UTF-8) so that both SQLite
// FTS5 and PostgreSQL's parser treat them as plain ASCII words whatever the
// database locale.
func SearchTokens(text string) []string { return tokens(text, false) }

// QueryTokens tokenises a search query. A lone CJK character cannot match
// the bigram index, so it is left out (when nothing is left the caller falls
// back to a substring match); at most 32 tokens are used.
func QueryTokens(q string) []string {
	out := tokens(q, true)
	if len(out) > 32 {
		out = out[:32]
	}
	return out
}

func tokens(text string, query bool) []string {
	var out []string
	seen := map[string]bool{}
	add := func(tok string) {
		if tok != "" && !seen[tok] {
			seen[tok] = true
			out = append(out, tok)
		}
	}
	var cjk []rune
	var word strings.Builder
	flushCJK := func() {
		switch len(cjk) {
		case 0:
		case 1:
			if !query {
				add(cjkToken(cjk))
			}
		default:
			for i := 0; i+1 < len(cjk); i++ {
				add(cjkToken(cjk[i : i+2]))
			}
		}
		cjk = cjk[:0]
	}
	flushWord := func() {
		if word.Len() > 0 {
			add(strings.ToLower(word.String()))
			word.Reset()
		}
	}
	for _, r := range norm.NFKC.String(text) {
		switch {
		case isCJK(r):
			flushWord()
			cjk = append(cjk, r)
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			flushCJK()
			word.WriteRune(r)
		default:
			flushCJK()
			flushWord()
		}
	}
	flushCJK()
	flushWord()
	return out
}

func cjkToken(rs []rune) string { return "x" + hex.EncodeToString([]byte(string(rs))) }

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// Bigrams is the set of a text's CJK character bigrams (as search tokens).
func Bigrams(text string) map[string]bool {
	out := map[string]bool{}
	for _, t := range SearchTokens(text) {
		if len(t) == 13 && t[0] == 'x' { // "x" + the hex of two CJK characters: a bigram
			out[t] = true
		}
	}
	return out
}

// Jaccard is the overlap of two sets: shared ÷ either.
func Jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return float64(n) / float64(len(a)+len(b)-n)
}
