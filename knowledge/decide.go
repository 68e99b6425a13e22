package knowledge

import (
	"math"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// Search decides how to respond to one question. It never fails: a
// question it cannot read is handed off.
func (ix *Index) Search(query string) Result {
	s := ix.snap.Load()
	res := Result{Query: query, Decision: Handoff}
	switch {
	case len(query) > MaxQueryBytes || foreignScript(query):
		// Not a question the engine can read whole: an officer can.
		return res
	case unreadable(query):
		res.Decision = Decline
		if k := SmallTalk(query); k != "" {
			res.Decision, res.SmallTalk = Smalltalk, k
		}
		return res
	}
	if k := SmallTalk(query); k != "" {
		res.Decision, res.SmallTalk = Smalltalk, k
		return res
	}
	// An emergency is never declined as off-topic (see Urgent). Both read
	// the same words: the question is tokenised once for them.
	words := textid.Tokens(query)
	urgent := urgentWords(words)
	if offTopic(words) && !urgent {
		res.Decision = Decline
		return res
	}
	ranked := s.rank(query)
	if len(ranked) == 0 {
		return res
	}
	top := ranked[0]
	var second scored
	if len(ranked) > 1 {
		second = ranked[1]
	}
	f := decisionFeatures(top, second, s.maxIDF)
	m := s.model
	x := f.vector()
	answerP := m.calibrate(logit(m.Answer, x))
	anyP := logit(m.Candidates, x)
	res.Confidence = round3(answerP)
	// Entries about another document or action than the one named are
	// never offered: the citizen would be shown the wrong service.
	var offer []scored
	for _, r := range ranked {
		if r.conflict == 0 && len(offer) < ix.cfg.MaxCandidates {
			offer = append(offer, r)
		}
	}
	for _, r := range offer {
		e := s.docs[r.doc].entry
		res.Candidates = append(res.Candidates, Candidate{
			Slug:     e.Slug,
			Question: e.Question,
			Score:    round3(answerP * r.score / top.score),
		})
	}
	switch {
	case f.unknown > maxUnknownShare:
		// Mostly words the knowledge base has never seen: the question
		// is about something else than the few words it shares with an
		// entry, and an officer reads it whole.
	case top.conflict == 0 && answerP >= ix.answerBar(f) && f.margin >= ix.cfg.AnswerMargin:
		e := s.docs[top.doc].entry
		res.Decision = Answer
		res.Entry = &e
		res.Candidates = res.Candidates[:1]
	case urgent:
		// An emergency that no entry answers goes to an officer at once,
		// never to a choice of services: "KTP hilang" is no answer to a
		// missing child.
	case len(offer) >= 2 && (anyP >= ix.cfg.ClarifyConfidence || ambiguous(f)):
		res.Decision = Clarify
		res.Candidates = meant(res.Candidates, offer)
	}
	return res
}

// meant keeps, of the candidates a clarification could offer (cands,
// scored as offer), those the citizen plausibly meant: the first; the
// second; any other scoring at least clarifyShare of the first. A
// candidate naming fewer of the documents or actions the question names
// than the first does is never offered ("KTP saya rusak kena air" is not
// asking about a damaged road): the choice may then be the first alone,
// asked as a yes or no.
func meant(cands []Candidate, offer []scored) []Candidate {
	keep := make([]Candidate, 1, len(cands))
	keep[0] = cands[0]
	for i, c := range cands[1:] {
		r := offer[i+1]
		if r.agree < offer[0].agree || (i > 0 && r.score < clarifyShare*offer[0].score) {
			continue
		}
		keep = append(keep, c)
	}
	return keep
}

// ambiguous reports whether a question is fully about what the knowledge
// base covers but fits several entries about as well ("ktp", "pajak"):
// then asking back beats both guessing and handing over. A question with
// a word the best entry lacks is not that: its heaviest unmatched word
// ("imsakiyah", "elektronik") is what it is about.
func ambiguous(f features) bool {
	return f.coverage >= ambiguousCoverage && f.margin < ambiguousMargin && f.miss == 0
}

// A question is ambiguous when the best entry covers at least
// ambiguousCoverage of it and leads the second by less than
// ambiguousMargin of its score.
const (
	ambiguousCoverage = 0.5
	ambiguousMargin   = 0.2
)

// An entry whose canonical question the question barely touches
// (matching only an alternate: "legalisir akta untuk daftar CPNS" for "cara
// daftar cpns") is answered only at lowRecallConfidence or more: such
// answers are a little less often right than others of the same
// confidence, yet most of them are right, and refusing them all sent many
// right first entries to a clarification.
const (
	minAnswerRecall     = 0.05
	lowRecallConfidence = 0.9
)

// answerBar is the least confidence with which a question of features f is
// answered directly.
func (ix *Index) answerBar(f features) float64 {
	if f.recall < minAnswerRecall {
		return max(ix.cfg.AnswerConfidence, lowRecallConfidence)
	}
	return ix.cfg.AnswerConfidence
}

// maxUnknownShare is the largest share of a question's weight in words
// the knowledge base does not know with which it is still answered or
// clarified.
const maxUnknownShare = 0.6

// clarifyShare is the least score, relative to the best, of a candidate
// offered in a clarification beyond the second.
const clarifyShare = 0.5

// features describe how well the best entry fits a question; none depends
// much on the knowledge base's size.
type features struct {
	coverage   float64 // share of the question's weight the best entry matches
	phrase     float64 // best cosine with one of its phrasings
	margin     float64 // relative lead of its score over the second's
	phraseLead float64 // its phrase similarity minus the second's
	evidence   float64 // log(1 + score in units of the rarest word)
	recall     float64 // share of the canonical question's weight matched
	conflict   float64 // must-match facet groups in which it disagrees
	unknown    float64 // share of the question's weight the index does not know
	length     float64 // log(1 + distinct words in the question)
	key        float64 // share of its heaviest words the best entry has
	miss       float64 // heaviest question word it lacks, relative
	answerOnly float64 // share of the question found only in its answer
	agree      float64 // must-match facet groups it shares with the question
	extra      float64 // must-match facet groups only the question names
	intentOK   float64 // 1 when it asks the same of the service, -1 when not
	// The character n-gram view, which agrees with the word view on a
	// right first entry more often than on a wrong one.
	char          float64 // its char similarity to the question
	charLead      float64 // how far that exceeds the other candidates' best
	charBest      float64 // 1 when its char similarity is the highest
	charCover     float64 // share of the question's grams it has
	charCoverLead float64 // its char cover minus the second's
}

// vector lists the features in the order of featureNames.
func (f features) vector() []float64 {
	return []float64{f.coverage, f.phrase, f.margin, f.phraseLead, f.evidence, f.recall, f.conflict, f.unknown, f.length, f.key, f.miss, f.answerOnly, f.agree, f.extra, f.intentOK, f.char, f.charLead, f.charBest, f.charCover, f.charCoverLead}
}

func decisionFeatures(top, second scored, maxIDF float32) features {
	f := features{
		coverage:   top.coverage,
		phrase:     top.phrase,
		phraseLead: top.phrase - second.phrase,
		recall:     top.recall,
		evidence:   math.Log1p(top.score / float64(maxIDF)),
		conflict:   float64(top.conflict),
		unknown:    top.unknown,
		length:     math.Log1p(float64(top.terms)),
		key:        top.key,
		miss:       top.miss,
		answerOnly: top.answerOnly,
		agree:      float64(top.agree),
		extra:      float64(top.extra),
		intentOK:   b2f(top.intentAgree) - b2f(top.intentConflict),
		margin:     1,

		char:          top.char,
		charLead:      top.charLead,
		charBest:      b2f(top.charLead > 0),
		charCover:     top.charCover,
		charCoverLead: top.charCover - second.charCover,
	}
	if top.score > 0 {
		f.margin = (top.score - second.score) / top.score
	}
	return f
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
