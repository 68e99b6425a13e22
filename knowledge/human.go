package knowledge

import (
	"strings"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// AsksForHuman reports whether text asks to be put through to a person
// instead of the bot ("tanya petugas", "mau bicara sama petugas", "minta
// disambungkan ke admin", "bisa chat dgn orang asli?", "cs nya mana"):
// the typed form of the "Tanya petugas" button. Such a message carries no
// question of its own, so it must be neither searched nor handed over as
// one.
//
// Recognition is deliberately narrow. A message counts only when it is
// short, names a person to talk to, says that it wants them (a verb of
// talking or connecting, a wish, "mana", "ada", or nothing but
// politeness around the name), and has no other content word:
// "petugas kebersihan tidak datang", "petugas parkir liar" and "syarat
// jadi petugas pemilu" are questions about services that mention an
// officer. "Admin" and "orang" are weaker: citizens address the bot
// itself as "min" ("tanya min", "min mau tanya"), so they name a person
// only after a verb of talking or connecting ("bicara sama admin",
// "sambungkan ke admin"), with "-nya" ("adminnya mana") or, for "orang",
// with "asli" and its like.
//
// Search never calls it, so the engine's decisions and their evaluation
// do not depend on it; the handlers ask it before they search.
func AsksForHuman(text string) bool { return asksForHumanWords(textid.Tokens(text)) }

// maxHumanRequestWords bounds a request for a person: a longer message
// says more than that and is a question.
const maxHumanRequestWords = 14

// The human-request lexicon, in textid.Tokens form: "dgn" arrives as
// "dengan", "sm" as "sama", "admin" as "min", "org" as "orang", "gk" as
// "tidak", "adminnya" as "min nya" ("petugasnya" stays whole and is split
// here).
var (
	// humanWords name a person to talk to ("service" counts after
	// "customer" only).
	humanWords = wordSet("petugas ptgs pegawai staf staff operator cs manusia human agent")
	// weakHumanWords name one only in the company described above; on
	// their own they address the bot ("min") or mean anyone ("orang").
	weakHumanWords = wordSet("min mimin orang")
	// realWords make "orang" a person rather than a bot: "orang asli".
	realWords = wordSet("asli beneran benar betulan sungguhan nyata real live")
	// connectWords are verbs of talking to someone or being put through;
	// after them even "admin" is a person.
	connectWords = wordSet("bicara berbicara bcr ngomong ngmg omong ngobrol mengobrol chat chatting chatan cet " +
		"hubungi menghubungi hubungin hubungkan dihubungkan dihubungi sambungkan disambungkan sambungin disambungin " +
		"alihkan dialihkan teruskan diteruskan oper dioper kontak talk speak")
	// askHumanWords ask or seek help of someone, a person only when named
	// plainly: "tanya petugas", "dibantu petugas", but "tanya min" and
	// "bantu min" speak to the bot.
	askHumanWords = wordSet("tanya bertanya nanya bantu bantuan dibantu dilayani")
	// wantWords ask for someone: "minta petugas", "butuh manusia".
	wantWords = wordSet("mau ingin pingin minta butuh perlu")
	// whereWords ask where someone is or whether there is one.
	whereWords = wordSet("mana dimana ada")
	// linkWords join a verb to the person: "sama", "dengan", "ke".
	linkWords = wordSet("sama dengan ke kepada pada ama ma to with")
	// particleWords carry nothing but politeness or emphasis: a person's
	// name with only these ("petugas dong", "cs?") asks for them.
	particleWords = wordSet("nya dong donk dunk deh ya yah nih kah lah aja saja ajah please pls tolong mohon " +
		"kak kakak pak bapak bu ibu bang abang bg mas mbak om gan sis customer")
	// requestFillerWords may stand around a request: who asks, "bisa",
	// "boleh", "langsung", "sekarang", "bukan bot".
	requestFillerWords = wordSet("saya aku kami bisa bisakah boleh bolehkah blh apa apakah yang langsung sekarang segera sebentar dulu " +
		"maaf permisi bukan bot robot chatbot mesin")
)

// asksForHumanWords is AsksForHuman on a message's words, as
// textid.Tokens gives them.
func asksForHumanWords(words []string) bool {
	if len(words) == 0 || len(words) > maxHumanRequestWords {
		return false
	}
	person, asks, plain := false, false, true
	for i, w := range words {
		suffixed := false
		if base, ok := strings.CutSuffix(w, "nya"); ok && (humanWords[base] || weakHumanWords[base]) {
			w, suffixed = base, true
		}
		prev, next := "", ""
		if i > 0 {
			prev = words[i-1]
		}
		if i+1 < len(words) {
			next = words[i+1]
		}
		// connected: a verb of talking or connecting comes just before,
		// perhaps through "sama"/"ke" ("bicara sama", "sambungkan ke").
		connected := connectWords[prev] || (linkWords[prev] && i > 1 && connectWords[words[i-2]])
		switch {
		case humanWords[w], w == "service" && prev == "customer":
			person = true
			// "ke petugas", "sama cs aja": a link before the person
			// implies the verb.
			asks = asks || linkWords[prev]
		case weakHumanWords[w]:
			switch {
			case connected, suffixed, next == "nya", w == "orang" && realWords[next]:
				person = true
			case w == "orang":
				return false // "ada orang?", "orang tua": anyone
			}
			// Otherwise "min" addresses the bot: a particle.
		case connectWords[w], askHumanWords[w], wantWords[w], whereWords[w]:
			asks, plain = true, false
		case particleWords[w], realWords[w]:
		case linkWords[w], requestFillerWords[w]:
			plain = false
		case w == "tidak" && i == len(words)-1:
			// "bisa bicara sama orang asli gk?": a question tag.
			plain = false
		default:
			return false
		}
	}
	return person && (asks || plain)
}
