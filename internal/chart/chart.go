// Package chart draws the few charts leaders read — bars compared, a trend
// by month — as inline SVG on the server: no script, no CDN, a title and a
// text alternative on every chart, and every value written beside its bar
// so that nothing is told by colour alone. Colours come from CSS classes
// (chart-bar, chart-bar-2, chart-axis, chart-text) so one chart suits the
// light pages and the dark command-centre board.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
)

// Item is one bar: its label, its value, the text written beside it
// (default the value) and, optionally, the list behind it.
type Item struct {
	Label string
	Value float64
	Text  string
	Href  string
}

var ids int

func esc(s string) string { return template.HTMLEscapeString(s) }

// head opens an accessible SVG of the given size. A chart whose bars link
// to their lists is a group, not an image: an image's content is hidden
// from screen readers, and its links with it.
func head(b *strings.Builder, id, title string, items []Item, w, h int) {
	role := "img"
	for _, it := range items {
		if it.Href != "" {
			role = "group"
		}
	}
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="%s" aria-labelledby="%s-t %s-d" preserveAspectRatio="xMinYMin meet">`, w, h, role, id, id)
	fmt.Fprintf(b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(describe(items)))
}

// link opens a bar's link, named by its whole label and value (the label
// drawn may be clipped).
func link(b *strings.Builder, it Item) {
	fmt.Fprintf(b, `<a href="%s" aria-label="%s">`, esc(it.Href), esc(it.Label+" "+text(it)))
}

func text(it Item) string {
	if it.Text != "" {
		return it.Text
	}
	if it.Value == math.Trunc(it.Value) {
		return fmt.Sprintf("%.0f", it.Value)
	}
	return fmt.Sprintf("%.1f", it.Value)
}

// describe is the text alternative: every label with its value.
func describe(items []Item) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.Label + " " + text(it)
	}
	return strings.Join(parts, "；")
}

func maxOf(items []Item) float64 {
	m := 0.0
	for _, it := range items {
		m = max(m, it.Value)
	}
	if m == 0 {
		m = 1
	}
	return m
}

// Bars draws horizontal bars, one row per item, longest value full width:
// townships compared, category shares. Top keeps the n largest items
// where space is short.
func Bars(id, title string, items []Item) template.HTML {
	const w, row, labelW, textW = 480, 28, 130, 120
	h := row*len(items) + 8
	var b strings.Builder
	head(&b, id, title, items, w, max(h, row))
	if len(items) == 0 {
		fmt.Fprintf(&b, `<text class="chart-text" x="%d" y="%d" dominant-baseline="middle">—</text>`, labelW, row/2)
	}
	m := maxOf(items)
	for i, it := range items {
		y := 4 + i*row
		bw := (w - labelW - textW) * it.Value / m
		if it.Href != "" {
			link(&b, it)
		}
		fmt.Fprintf(&b, `<text class="chart-text" x="%d" y="%d" text-anchor="end" dominant-baseline="middle">%s</text>`, labelW-8, y+row/2, esc(clip(it.Label, 7)))
		fmt.Fprintf(&b, `<rect class="chart-bar" x="%d" y="%d" width="%.1f" height="%d" rx="3"/>`, labelW, y+5, max(bw, 1), row-10)
		fmt.Fprintf(&b, `<text class="chart-text chart-value" x="%.1f" y="%d" dominant-baseline="middle">%s</text>`, float64(labelW)+max(bw, 1)+6, y+row/2, esc(text(it)))
		if it.Href != "" {
			b.WriteString(`</a>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Columns draws a trend: one column per item (a month), values written
// above, labels below; prev, when given, is drawn as a thin second column
// beside each (the same month a year or a period before).
func Columns(id, title string, items []Item) template.HTML {
	const h, top, bottom = 220, 24, 28
	colW := 44
	w := max(colW*len(items)+20, 200)
	var b strings.Builder
	head(&b, id, title, items, w, h)
	m := maxOf(items)
	base := h - bottom
	fmt.Fprintf(&b, `<line class="chart-axis" x1="10" y1="%d" x2="%d" y2="%d"/>`, base, w-10, base)
	for i, it := range items {
		x := 10 + i*colW
		bh := float64(base-top) * it.Value / m
		if it.Href != "" {
			link(&b, it)
		}
		fmt.Fprintf(&b, `<rect class="chart-bar" x="%d" y="%.1f" width="%d" height="%.1f" rx="2"/>`, x+6, float64(base)-bh, colW-12, max(bh, 1))
		fmt.Fprintf(&b, `<text class="chart-text chart-value" x="%d" y="%.1f" text-anchor="middle">%s</text>`, x+colW/2, float64(base)-bh-5, esc(text(it)))
		fmt.Fprintf(&b, `<text class="chart-text" x="%d" y="%d" text-anchor="middle">%s</text>`, x+colW/2, h-10, esc(it.Label))
		if it.Href != "" {
			b.WriteString(`</a>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// clip shortens a label to n characters with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Top returns the n items of largest value, largest first (ties in the
// order given).
func Top(items []Item, n int) []Item {
	out := append([]Item(nil), items...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Value > out[j].Value })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
