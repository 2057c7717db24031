package assess

import "unicode"

// features are the character unigrams and bigrams of the CJK runs of text:
// no word segmentation, so it works on words no dictionary holds.
func features(text string) []string {
	return featuresOpt(text, true)
}

func featuresOpt(text string, unigrams bool) []string {
	var out []string
	var run []rune
	flush := func() {
		for i, r := range run {
			if unigrams {
				out = append(out, string(r))
			}
			if i+1 < len(run) {
				out = append(out, string(run[i:i+2]))
			}
		}
		run = run[:0]
	}
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			run = append(run, r)
			continue
		}
		flush()
	}
	flush()
	return out
}

// Doc is one labelled example: a past matter's description and what it
// turned out to be.
type Doc struct {
	Text  string
	Label string
}

// Scored is a label with its log-score and the features that favoured it.
type Scored struct {
	Label    string
	Score    float64
	Features []string
}
