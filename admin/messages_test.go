package admin

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// problemText is what the pages say is wrong: the error above the page,
// the preview's problem and each row of an import's problems.
var problemText = regexp.MustCompile(`(?s)<p class="error"[^>]*>(.*?)</p>|<table class="problems">(.*?)</table>`)

// englishWords betray a message left untranslated.
var englishWords = regexp.MustCompile(`(?i)\b(want|got|missing|duplicate|malformed|must|longer|line|unknown|empty|field|contains|needs|least|item|term|appears|invalid|unexpected|header|columns|list|string|number|character|looking|after|literal|quote|expected|extraneous|bare|wrong)\b`)

// TestEntryProblemsAreInIndonesian: what the knowledge base refuses in an
// entry, an import or a synonym group reaches the officer in Indonesian,
// naming the line and field.
func TestEntryProblemsAreInIndonesian(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "otto", RoleOfficer)
		c.get("/admin/kb/new")
		upload := func(name, content string) (*http.Response, string) {
			return c.upload("/admin/kb/import", name, content, nil)
		}
		header := "id,category,question,alternates,answer,tags\n"
		cases := []struct {
			name string
			send func() (*http.Response, string)
			want []string
		}{
			{"bad id", func() (*http.Response, string) {
				return c.post("/admin/kb/new", url.Values{"slug": {"KTP_Hilang"}, "question": {"q"}, "answer": {"a"}, "action": {"save"}})
			}, []string{"Id", "huruf kecil"}},
			{"empty answer", func() (*http.Response, string) {
				return c.post("/admin/kb/new", url.Values{"slug": {"ktp"}, "question": {"q"}, "answer": {" "}, "action": {"save"}})
			}, []string{"Jawaban"}},
			{"control character", func() (*http.Response, string) {
				return c.post("/admin/kb/new", url.Values{"slug": {"ktp"}, "question": {"q\x01"}, "answer": {"a"}, "action": {"save"}})
			}, []string{"Pertanyaan", "karakter kendali"}},
			{"bad status", func() (*http.Response, string) {
				return c.post("/admin/kb/new", url.Values{"slug": {"ktp"}, "question": {"q"}, "answer": {"a"}, "status": {"live"}, "action": {"save"}})
			}, []string{"Status", "live"}},
			{"one synonym", func() (*http.Response, string) {
				return c.post("/admin/kb/synonyms", url.Values{"terms": {"ktp\nKTP"}})
			}, []string{"paling sedikit dua"}},
			{"csv duplicate id", func() (*http.Response, string) {
				return upload("faq.csv", header+"a,,q,,a,\na,,q2,,b,\n")
			}, []string{"Baris 3", "Id", "ganda", "baris 2"}},
			{"csv header", func() (*http.Response, string) { return upload("faq.csv", "id,pertanyaan\n") }, []string{"Baris 1", "baris judul"}},
			{"csv columns", func() (*http.Response, string) { return upload("faq.csv", header+"a,,q,,a\n") }, []string{"Baris 2", "5 kolom"}},
			{"csv value under an unnamed column", func() (*http.Response, string) {
				return upload("faq.csv", "id;category;question;alternates;answer;tags;\ra;;q;;a;;\rb;;q;;a;;catatan\r")
			}, []string{"Baris 3", "kolom ke-7", "tidak bernama"}},
			{"csv as Excel saves it, with cleared rows", func() (*http.Response, string) {
				return upload("faq.csv", "sep=;\r\nid;category;question;alternates;answer;tags\r\n;;;;;\r\na;;q;;;\r\n;;;;;\r\n")
			}, []string{"Baris 4", "Jawaban", "belum diisi"}},
			{"csv open quote", func() (*http.Response, string) { return upload("faq.csv", header+"a,,\"q,,a,\nb,,q,,a,\n") }, []string{"Baris 2", "CSV rusak"}},
			{"csv bar in a list", func() (*http.Response, string) {
				return upload("faq.json", `{"entries": [{"id": "a", "question": "q", "answer": "a", "tags": ["x|y"]}]}`)
			}, []string{"Tag", "butir 1"}},
			{"json type", func() (*http.Response, string) {
				return upload("faq.json", "{\"entries\": [\n{\"id\": \"a\",\n\"question\": 12, \"answer\": \"a\"}]}")
			}, []string{"Baris 3", "Pertanyaan", "teks", "angka"}},
			{"json syntax", func() (*http.Response, string) { return upload("faq.json", "{\"entries\": [\n{\"id\": \"a\",, }]}") }, []string{"Baris 2", "JSON rusak"}},
			{"json truncated", func() (*http.Response, string) { return upload("faq.json", "{\"entries\": [\n{\"id\": \"a\"") }, []string{"JSON rusak"}},
			{"json not an object", func() (*http.Response, string) { return upload("faq.json", "[]") }, []string{"objek", "daftar"}},
			{"json no entries", func() (*http.Response, string) { return upload("faq.json", "{}") }, []string{"entries"}},
			{"json unknown field", func() (*http.Response, string) {
				return upload("faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answr\": \"a\"}]}")
			}, []string{"Baris 2", "tidak dikenal"}},
			{"not csv or json", func() (*http.Response, string) { return upload("faq.txt", header+"a,,q,,a,\n") }, []string{"faq.txt", ".csv", ".json"}},
			{"json long answer", func() (*http.Response, string) {
				return upload("faq.json", `{"entries": [{"id": "a", "question": "q", "answer": "`+strings.Repeat("x", 4097)+`"}]}`)
			}, []string{"Jawaban", "4096"}},
		}
		for _, tc := range cases {
			res, body := tc.send()
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", tc.name, res.StatusCode)
			}
			var said strings.Builder
			for _, m := range problemText.FindAllStringSubmatch(body, -1) {
				said.WriteString(m[1] + m[2] + "\n")
			}
			text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(said.String(), " ")
			if w := englishWords.FindString(text); w != "" {
				t.Errorf("%s: the officer reads English (%q):\n%s", tc.name, w, text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s: the problem does not say %q:\n%s", tc.name, w, text)
				}
			}
		}
	})
}
