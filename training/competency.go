package training

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// CompetencyIDs are the competencies the digital self-assessment rates
// (its 1–5 questions, such as "spbe" and "data"), in template order. A
// training's competency column lists the ones it covers.
func CompetencyIDs() []string {
	competencyOnce.Do(func() {
		ts, err := ShippedTemplates()
		if err != nil {
			panic("training: shipped templates unreadable: " + err.Error())
		}
		for _, t := range ts {
			if t.Code != TemplateCompetency {
				continue
			}
			for _, q := range t.Questions {
				if q.Kind == Likert5 {
					competencyIDs = append(competencyIDs, q.ID)
				}
			}
		}
	})
	return slices.Clone(competencyIDs)
}

var (
	competencyOnce sync.Once
	competencyIDs  []string
)

// parseCompetencies reads a training's competency cell: competency ids
// separated by "|", "," or ";" (any case), stored as "data | spbe".
func parseCompetencies(cell string) (string, error) {
	known := CompetencyIDs()
	var ids []string
	for _, f := range strings.FieldsFunc(cell, func(r rune) bool { return r == '|' || r == ',' || r == ';' }) {
		id := strings.ToLower(strings.TrimSpace(f))
		if id == "" {
			continue
		}
		if !slices.Contains(known, id) {
			return "", fmt.Errorf("kompetensi %q tidak dikenal: gunakan id dari penilaian mandiri, dipisahkan dengan |: %s", id, strings.Join(known, ", "))
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, " | "), nil
}

// Competencies returns the ids of the competencies the training covers.
func (t Training) Competencies() []string {
	var out []string
	for _, f := range strings.Split(t.Competency, "|") {
		if id := strings.TrimSpace(f); id != "" {
			out = append(out, id)
		}
	}
	return out
}
