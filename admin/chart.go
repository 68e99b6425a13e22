package admin

import (
	"fmt"
	"html/template"
	"strings"
)

// chart is a bar chart drawn by the server as SVG, readable without
// JavaScript; the page shows its numbers in a table too, for screen
// readers and for anyone who wants the exact values.
type chart struct {
	Title string
	Bars  []bar
}

type bar struct {
	Label string
	Value int
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 480
	chartBarH   = 22
	chartGap    = 8
	chartLabelW = 190
)

// SVG renders the chart. Every text is escaped; the drawing uses
// attributes only, since the page's CSP allows no inline style.
func (c chart) SVG() template.HTML {
	maxV := 1
	for _, b := range c.Bars {
		maxV = max(maxV, b.Value)
	}
	height := len(c.Bars)*(chartBarH+chartGap) + chartGap
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		chartWidth, height, template.HTMLEscapeString(c.Title))
	span := chartWidth - chartLabelW - 60
	for i, b := range c.Bars {
		y := chartGap + i*(chartBarH+chartGap)
		w := b.Value * span / maxV
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>`,
			chartLabelW-8, y+chartBarH-6, template.HTMLEscapeString(b.Label))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" class="chart-bar"></rect>`, chartLabelW, y, w, chartBarH)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" class="chart-value">%d</text>`, chartLabelW+w+6, y+chartBarH-6, b.Value)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String()) //nolint:gosec // every piece of text above is escaped
}
