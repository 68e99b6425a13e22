package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

// CuratorConfig configures /faq.
type CuratorConfig struct {
	Knowledge *knowledge.Store
	Index     Searcher
	// Inbox serves /faq belum.
	Inbox *inbox.Store
	// Officers may read the unanswered questions and change the
	// knowledge base; nil means nobody may.
	Officers *Officers
}

// Curator serves the /faq slash command: searching (which shows only
// the engine's decision and published entries) is for everyone; the
// citizens' unanswered questions and changes are for officers, and each
// change is a knowledge revision authored by the Slack user.
type Curator struct {
	a   *Adapter
	cfg CuratorConfig
}

// NewCurator builds /faq on the adapter.
func (a *Adapter) NewCurator(cfg CuratorConfig) (*Curator, error) {
	if cfg.Knowledge == nil || cfg.Index == nil || cfg.Inbox == nil {
		return nil, errors.New("slack: /faq needs the knowledge store, the index and the inbox")
	}
	return &Curator{a: a, cfg: cfg}, nil
}

// /faq's modals.
const (
	faqCallback     = "faq_"
	faqNewCallback  = "faq_new"
	faqEditCallback = "faq_edit"

	blockQuestion   = "question"
	blockAlternates = "alternates"
	blockCategory   = "category"
)

// unansweredWindow is how far back /faq belum looks.
const unansweredWindow = 7 * 24 * time.Hour

func (c *Curator) command(ctx context.Context, cmd slack.SlashCommand) error {
	verb, rest, _ := strings.Cut(strings.TrimSpace(cmd.Text), " ")
	verb, rest = strings.ToLower(verb), strings.TrimSpace(rest)
	say := func(text string) { c.a.respond(ctx, cmd, text) }
	switch verb {
	case "cari":
		if rest == "" {
			say(textFAQUsage)
			return nil
		}
		say(searchReport(c.cfg.Index.Search(rest)))
		return nil
	case "belum", "tambah", "ubah", "terbit", "arsip", "sinonim":
		// belum shows what citizens wrote, names and complaints included:
		// the workspace has other members (ASN get their reminders here).
	default:
		say(textFAQUsage)
		return nil
	}
	if c.cfg.Officers == nil {
		say(textNotOfficer)
		return nil
	}
	if !c.cfg.Officers.admit(ctx, cmd.UserID, say) {
		return nil
	}
	author := "@" + cmd.UserName
	if cmd.UserName == "" {
		author = "slack:" + cmd.UserID
	}
	if verb == "ubah" || verb == "terbit" || verb == "arsip" {
		if rest == "" {
			say(textFAQUsage)
			return nil
		}
		// Ids are lower case; one typed with capitals means the same.
		rest = strings.ToLower(rest)
	}
	ks := c.cfg.Knowledge
	switch verb {
	case "belum":
		groups, err := c.cfg.Inbox.Unanswered(ctx, c.a.now().Add(-unansweredWindow))
		if err != nil {
			return err
		}
		// The citizens' numbers are masked, as on the desk.
		for i := range groups {
			groups[i].Question = handlers.HideNumbers(groups[i].Question, maskedNumber)
		}
		say(UnansweredReport(groups, 10))
	case "tambah":
		c.openModal(ctx, cmd, c.entryModal(faqNewCallback, knowledge.Entry{}))
	case "ubah":
		e, err := ks.Get(ctx, rest)
		if errors.Is(err, knowledge.ErrNotFound) || rest == "" {
			say(fmt.Sprintf(textFAQMissing, rest))
			return nil
		} else if err != nil {
			return err
		}
		if label, n := tooLongForInput(e); n > 0 {
			say(fmt.Sprintf(textFAQTooLong, e.Slug, label, n, MaxInputText, e.Slug))
			return nil
		}
		c.openModal(ctx, cmd, c.entryModal(faqEditCallback, e))
	case "terbit", "arsip":
		st := knowledge.Published
		if verb == "arsip" {
			st = knowledge.Archived
		}
		e, err := ks.SetStatus(ctx, rest, st, author)
		if errors.Is(err, knowledge.ErrNotFound) || rest == "" {
			say(fmt.Sprintf(textFAQMissing, rest))
			return nil
		} else if fe, ok := errors.AsType[*knowledge.FieldError](err); ok {
			// Leaving the archive, a wording another entry has now.
			block, msg := entryProblem(fe)
			say(fmt.Sprintf(textFAQStatusRefused, rest, st.Word(), fieldLabel(block), msg))
			return nil
		} else if err != nil {
			return err
		}
		say(fmt.Sprintf(textFAQStatus, e.Slug, e.Status.Word(), e.Version))
	case "sinonim":
		g, err := ks.SaveSynonymGroup(ctx, knowledge.SynonymGroup{Terms: knowledge.ParseSynonymTerms(rest)}, author)
		if fe, ok := errors.AsType[*knowledge.FieldError](err); ok {
			say(fmt.Sprintf(textSynonymRefused, rest, fe.Msg))
			return nil
		} else if err != nil {
			return err // not the officer's mistake: processed again
		}
		say(fmt.Sprintf(textSynonymSaved, strings.Join(g.Terms, ", ")))
	}
	return nil
}

func (c *Curator) openModal(ctx context.Context, cmd slack.SlashCommand, v slack.ModalViewRequest) {
	if _, err := c.a.api.OpenViewContext(ctx, cmd.TriggerID, v); err != nil {
		c.a.log.Warn("slack: unable to open the /faq modal", "error", err)
		c.a.respond(ctx, cmd, textModalFailed)
	}
}

// entryModal edits an entry (or a new draft, when e is zero); the
// private metadata carries the entry's id and the channel to answer in.
func (c *Curator) entryModal(callback string, e knowledge.Entry) slack.ModalViewRequest {
	q := textInput(blockQuestion, textFieldQuestion, false, false)
	q.Element.(*slack.PlainTextInputBlockElement).InitialValue = e.Question
	alt := textInput(blockAlternates, textFieldAlternates, true, true)
	alt.Element.(*slack.PlainTextInputBlockElement).InitialValue = strings.Join(e.Alternates, "\n")
	ans := textInput(blockAnswer, textFieldAnswer, true, false)
	ans.Element.(*slack.PlainTextInputBlockElement).InitialValue = e.Answer
	cat := textInput(blockCategory, textFieldCategory, false, true)
	cat.Element.(*slack.PlainTextInputBlockElement).InitialValue = e.Category
	title := textModalNewFAQ
	if e.Slug != "" {
		title = textModalEditFAQ
	}
	v := modal(callback, title, 0, q, alt, ans, cat)
	v.PrivateMetadata = ""
	if e.Slug != "" {
		// The version the edit starts from: saving it over a later one
		// would undo that change (an alternate a desk answer taught).
		v.PrivateMetadata = e.Slug + "@" + strconv.Itoa(e.Version)
	}
	return v
}

// editedEntry reads a /faq ubah form's private metadata: the entry's id
// and the version the edit started from (-1 when the form says none).
func editedEntry(meta string) (slug string, base int) {
	slug, v, ok := strings.Cut(meta, "@")
	if n, err := strconv.Atoi(v); ok && err == nil && n > 0 {
		return slug, n
	}
	return slug, -1
}

// MaxInputText is the most characters a text input of a modal holds,
// initial value included.
const MaxInputText = 3000

// tooLongForInput names the field of e that a form's text input cannot
// hold, with its length (0 when all fit). Slack counts in UTF-16 units,
// so an emoji counts twice here too.
func tooLongForInput(e knowledge.Entry) (label string, n int) {
	for _, f := range []struct{ label, text string }{
		{textFieldQuestion, e.Question}, {textFieldAlternates, strings.Join(e.Alternates, "\n")},
		{textFieldAnswer, e.Answer}, {textFieldCategory, e.Category},
	} {
		if n := len(utf16.Encode([]rune(f.text))); n > MaxInputText {
			return f.label, n
		}
	}
	return "", 0
}

// submit saves a /faq modal; the officer is told the outcome by DM-like
// ephemeral in the channel they are told nothing else in: their own DM
// with the app.
func (c *Curator) submit(ctx context.Context, cb slack.InteractionCallback) error {
	say := func(text string) { c.a.dm(ctx, cb.User.ID, text) }
	if c.cfg.Officers == nil {
		say(textNotOfficer)
		return nil
	}
	if !c.cfg.Officers.admit(ctx, cb.User.ID, say) {
		return nil
	}
	author := officerName(cb.User)
	e := formEntry(cb.View)
	ks := c.cfg.Knowledge
	var saved knowledge.Entry
	var err error
	switch cb.View.CallbackID {
	case faqNewCallback:
		saved, err = ks.AddDraft(ctx, e, author)
	case faqEditCallback:
		slug, base := editedEntry(cb.View.PrivateMetadata)
		cur, gerr := ks.Get(ctx, slug)
		if errors.Is(gerr, knowledge.ErrNotFound) {
			say(fmt.Sprintf(textFAQMissing, slug))
			return nil
		} else if gerr != nil {
			return gerr
		}
		// The form shows every field it saves, the category included:
		// one cleared there is cleared, as on the web admin.
		cur.Question, cur.Answer, cur.Alternates, cur.Category = e.Question, e.Answer, e.Alternates, e.Category
		if base < 0 {
			saved, err = ks.Save(ctx, cur, author)
		} else {
			saved, err = ks.SaveVersion(ctx, cur, base, author)
		}
		if vc, ok := errors.AsType[*knowledge.VersionConflict](err); ok {
			say(fmt.Sprintf(textFAQChanged, slug, vc.Current.UpdatedBy, vc.Current.Version, slug))
			return nil
		}
	default:
		return nil
	}
	if fe, ok := errors.AsType[*knowledge.FieldError](err); ok {
		block, msg := entryProblem(fe)
		say(fmt.Sprintf(textFAQInvalid, fieldLabel(block), msg))
		return nil
	} else if err != nil {
		return err
	}
	say(fmt.Sprintf(textFAQSaved, saved.Slug, saved.Status.Word(), saved.Version))
	return nil
}

func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// searchReport is /faq cari's answer: the engine's decision and its
// candidates.
func searchReport(res knowledge.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Keputusan bot: %s (keyakinan %d%%)\n", res.Decision.Word(), int(res.Confidence*100+0.5))
	for i, c := range res.Candidates {
		fmt.Fprintf(&b, "%d. %s — %s (%d%%)\n", i+1, c.Slug, c.Question, int(c.Score*100+0.5))
	}
	if len(res.Candidates) == 0 {
		b.WriteString("Tidak ada kandidat.\n")
	}
	return b.String()
}

// UnansweredReport lists the biggest groups of unanswered questions, for
// /faq belum and `hub kb unanswered`.
func UnansweredReport(groups []inbox.UnansweredGroup, limit int) string {
	if len(groups) == 0 {
		return "Tidak ada pertanyaan yang belum terjawab dalam 7 hari terakhir."
	}
	var b strings.Builder
	b.WriteString("Pertanyaan yang belum terjawab (7 hari terakhir), kelompok terbesar dulu:\n")
	for i, g := range groups {
		if i == limit {
			fmt.Fprintf(&b, "… dan %d kelompok lagi.\n", len(groups)-limit)
			break
		}
		fmt.Fprintf(&b, "%d. %d× %s\n", i+1, g.Count, g.Question)
	}
	return b.String()
}

// dm sends text to a user's DM with the app, for feedback on a modal
// (which has no channel of its own).
func (a *Adapter) dm(ctx context.Context, user, text string) {
	if _, _, err := a.api.PostMessageContext(ctx, user, slack.MsgOptionText(Escape(text), false)); err != nil {
		a.log.Warn("slack: unable to send a direct message", "error", err)
	}
}
