package knowledge

// Verdict is a Result as `hub kb ask` prints it and the web admin's
// "Coba bot" panel shows it: one shape for both, so that they cannot
// disagree.
type Verdict struct {
	Query      string      `json:"query"`
	Decision   Decision    `json:"decision"`
	FAQID      string      `json:"faq_id"`
	Confidence float64     `json:"confidence"`
	Candidates []Candidate `json:"candidates"`
}

// Verdict returns r's verdict; Candidates is never nil.
func (r Result) Verdict() Verdict {
	v := Verdict{Query: r.Query, Decision: r.Decision, Confidence: r.Confidence, Candidates: r.Candidates}
	if v.Candidates == nil {
		v.Candidates = []Candidate{}
	}
	if r.Entry != nil {
		v.FAQID = r.Entry.Slug
	}
	return v
}
