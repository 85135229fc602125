package app

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on free text a user gives.
const (
	MaxTitleRunes = 200
	MaxTaskRunes  = 2 * MaxTitleRunes
	MaxNoteRunes  = 4000
)

// checkLength refuses text (named what) longer than limit characters, saying both.
func checkLength(what, text string, limit int) error {
	if n := utf8.RuneCountInString(text); n > limit {
		return invalid("The %s is %d characters long; the limit is %d.", what, n, limit)
	}
	return nil
}

// cleanText collapses whitespace and drops control and invisible characters, so a
// title is one line whatever was pasted and reads as it is stored.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, dropInvisible(s))
	return strings.Join(strings.Fields(s), " ")
}

// cleanNote keeps line breaks but drops other control and invisible characters.
func cleanNote(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			if unicode.IsSpace(r) {
				return ' '
			}
			return -1
		}
		return r
	}, dropInvisible(s))
	return strings.TrimSpace(s)
}

const zeroWidthJoiner = '\u200d'

// dropInvisible removes the format characters (Unicode category Cf) that change how
// text reads without showing themselves: bidi embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069, U+200E/F), zero-width spaces and joiners, word
// joiners, byte-order marks, soft hyphens. `Deploy \u202egnp.exe` would otherwise
// show as something else than what is stored. Kept: the zero-width joiner between two
// emoji (👩‍💻 is one picture) and the tag characters of subdivision flags.
func dropInvisible(s string) string {
	if !strings.ContainsFunc(s, isFormat) {
		return s
	}
	runes := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for i, r := range runes {
		switch {
		case r == zeroWidthJoiner && isEmoji(prev) && i+1 < len(runes) && isEmoji(runes[i+1]):
		case r >= 0xE0020 && r <= 0xE007F && (isEmoji(prev) || prev >= 0xE0020 && prev <= 0xE007F):
		case isFormat(r):
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func isFormat(r rune) bool {
	return unicode.Is(unicode.Cf, r)
}

// isEmoji: a pictograph, an emoji presentation selector or a skin-tone modifier — what
// may stand on either side of a joiner in an emoji sequence.
func isEmoji(r rune) bool {
	return r == 0xFE0F || r >= 0x1F3FB && r <= 0x1F3FF || unicode.Is(unicode.So, r)
}

var markdownSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `~`, `\~`, `[`, `\[`, `]`, `\]`,
	`(`, `\(`, `)`, `\)`, `#`, `\#`, `>`, `&gt;`, `<`, `&lt;`, `|`, `\|`, `!`, `\!`,
)

// mentionRE finds @-mentions; a zero-width space after the @ keeps the text readable
// while Mattermost no longer sees a mention.
var mentionRE = regexp.MustCompile(`@([\p{L}\p{N}._-])`)

// urlRE finds the schemes Mattermost links, mailto: and tel: even without slashes.
// Any other "scheme://" is broken too (see Inline): the webapp links custom schemes
// an admin configures.
var urlRE = regexp.MustCompile(`(?i)\b(https?|ftp|mailto|tel):`)

// hostDotRE finds a dot before a letter: the joint of a host name. Mattermost links
// www.example.com and, in the webapp, bare host.tld/path forms; a zero-width space
// before the dot leaves no host name for either to find.
var hostDotRE = regexp.MustCompile(`\.([A-Za-z])`)

// wwwRE finds a www. address's dot, which links whatever follows it (www.0 too),
// and even inside a word (Mattermost's parser skips the check of what precedes it
// at the second character: 0www.0 links).
var wwwRE = regexp.MustCompile(`(?i)(www\d{0,3})\.`)

// Inline renders user text inside a bot post: no markdown, no links, no mentions
// (@all, @channel, @here or anyone's). What the user typed is what everyone reads.
func Inline(s string) string {
	s = markdownSpecial.Replace(s)
	s = urlRE.ReplaceAllString(s, "$1\u200b:")
	s = strings.ReplaceAll(s, "://", ":\u200b//")
	s = wwwRE.ReplaceAllString(s, "$1\u200b.")
	s = hostDotRE.ReplaceAllString(s, "\u200b.$1")
	return mentionRE.ReplaceAllString(s, "@\u200b$1")
}

// linkSyntax is where a closing bracket makes a markdown link, image or reference
// definition: `[x](url)`, `![x](url)`, `[x][ref]`, `[ref]: url`.
var linkSyntax = strings.NewReplacer("](", "]\u200b(", "][", "]\u200b[", "]:", "]\u200b:")

// Quoted renders a user's multi-line note as a quote block with markdown kept but
// mentions neutralised (a note is the user's own words, formatted as they wrote them).
// Links and images are broken with a zero-width space too: a bot post must not carry
// a link whose text hides where it goes, or load an image from anywhere; a bare URL
// still links to itself.
func Quoted(s string) string {
	s = mentionRE.ReplaceAllString(s, "@\u200b$1")
	s = linkSyntax.Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// truncateRunes cuts s to n runes, marking the cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Slug turns a title into a channel-name fragment: lower-case ASCII letters, digits and
// dashes, at most n characters, never starting or ending with a dash.
func Slug(title string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= n {
			break
		}
	}
	out := b.String()
	if len(out) > n {
		out = out[:n]
	}
	return strings.Trim(out, "-")
}

var versionRE = regexp.MustCompile(`(?i)\bv?(\d+(?:\.\d+){1,3}(?:-[0-9a-z.]+)?)\b`)

// VersionIn finds a version number (1.2, v2.0.1, 3.1.0-rc1) in a title.
func VersionIn(title string) string {
	m := versionRE.FindStringSubmatch(title)
	if m == nil {
		return ""
	}
	return strings.ToLower(m[1])
}

// Headline is how posts name a workflow: "Release 3: 2.4.0", the title made inert.
func Headline(typeName string, seq int, title string) string {
	return fmt.Sprintf("%s %d: %s", typeName, seq, Inline(ShortTitle(typeName, title)))
}

// ShortTitle drops a leading type word that the headline already says: the start
// form's own hint gives "Release 2.4.0", and "Release 3: Release 2.4.0" reads twice.
// Only a type word followed by a separator (`Incident: DB down`) or by a number or
// version (`Release 2.4.0`) goes; "Incident in checkout" keeps its words.
func ShortTitle(typeName, title string) string {
	if typeName == "" || len(title) <= len(typeName) || !strings.EqualFold(title[:len(typeName)], typeName) {
		return title
	}
	rest := title[len(typeName):]
	short := strings.TrimLeft(rest, " :-–—")
	gap := rest[:len(rest)-len(short)]
	switch {
	case short == "" || gap == "" || gap[0] != ' ' && gap[0] != ':':
		return title // "Releases", "Release-train": the word goes on
	case strings.ContainsAny(gap, ":-–—") || startsWithNumber(short):
		return short
	default:
		return title
	}
}

// startsWithNumber: 2.4.0, v2.4.0, 3.
func startsWithNumber(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "v"), "V")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}
