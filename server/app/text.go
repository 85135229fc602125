package app

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on free text a user gives.
const (
	MaxTitleRunes = 200
	MaxNoteRunes  = 4000
)

// cleanText collapses whitespace and drops control characters, so a title is one
// line whatever was pasted.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// cleanNote keeps line breaks but drops other control characters.
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
	}, s)
	return strings.TrimSpace(s)
}

var markdownSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `~`, `\~`, `[`, `\[`, `]`, `\]`,
	`(`, `\(`, `)`, `\)`, `#`, `\#`, `>`, `&gt;`, `<`, `&lt;`, `|`, `\|`, `!`, `\!`,
)

// mentionRE finds @-mentions; a zero-width space after the @ keeps the text readable
// while Mattermost no longer sees a mention.
var mentionRE = regexp.MustCompile(`@([\p{L}\p{N}._-])`)

// urlRE finds bare links, which Mattermost would autolink.
var urlRE = regexp.MustCompile(`(?i)\b(https?|ftp|mailto|tel):`)

// Inline renders user text inside a bot post: no markdown, no links, no mentions
// (@all, @channel, @here or anyone's). What the user typed is what everyone reads.
func Inline(s string) string {
	s = markdownSpecial.Replace(s)
	s = urlRE.ReplaceAllString(s, "$1\u200b:")
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
