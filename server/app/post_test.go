package app

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// requireParts checks what splitPost made of message: every part fits a post, is
// valid UTF-8, and together they are the message, cut only where it allows.
func requireParts(t *testing.T, message string, parts []string) {
	t.Helper()
	for i, p := range parts {
		require.LessOrEqual(t, utf8.RuneCountInString(p), MaxPostRunes, "part %d", i)
		require.True(t, utf8.ValidString(p), "part %d", i)
		require.NotEmpty(t, p, "part %d", i)
	}
	require.Equal(t, strings.ReplaceAll(message, "\n", ""), strings.ReplaceAll(strings.Join(parts, ""), "\n", ""), "nothing lost")
}

func TestSplitPostAtTheLimit(t *testing.T) {
	// Escaping makes a 4,095-character title of < 16,380 characters long: the limit is
	// counted on what is posted.
	exact := "## " + Inline(strings.Repeat("<", 4095))
	require.Equal(t, MaxPostRunes, utf8.RuneCountInString(exact))
	require.Equal(t, []string{exact}, splitPost(exact), "16,383 characters are one post")

	over := exact + "<"
	parts := splitPost(over)
	require.Len(t, parts, 2, "16,384 are two")
	requireParts(t, over, parts)

	escaped := Inline(strings.Repeat("<", 5000))
	parts = splitPost(escaped)
	requireParts(t, escaped, parts)
	for i, p := range parts {
		require.Equal(t, strings.Count(p, "&"), strings.Count(p, "&lt;"), "part %d cuts an entity", i)
	}

	// Multi-byte: 日 is three bytes and one character; Mattermost counts characters.
	wide := strings.Repeat("日本語", MaxPostRunes/3) + "日"
	require.Equal(t, MaxPostRunes+1, utf8.RuneCountInString(wide))
	parts = splitPost(wide)
	require.Len(t, parts, 2)
	require.Equal(t, MaxPostRunes, utf8.RuneCountInString(parts[0]))
	requireParts(t, wide, parts)
}

func TestSplitPostCutsBetweenLines(t *testing.T) {
	var lines []string
	for i := 0; i < 600; i++ {
		lines = append(lines, "- `12-01 10:00` task_added — Task added: "+Inline(strings.Repeat("<", 20)))
	}
	message := "#### Retrospective\n" + strings.Join(lines, "\n")
	parts := splitPost(message)
	require.Greater(t, len(parts), 1)
	requireParts(t, message, parts)
	for i, p := range parts[1:] {
		require.True(t, strings.HasPrefix(p, "- `"), "part %d starts on a line", i+1)
	}
	for i, p := range parts {
		require.True(t, strings.HasSuffix(p, ";"), "part %d ends on a line", i)
	}

	quote := "**Note:**\n" + Quoted(strings.Repeat("a handoff note line\n", 1500))
	parts = splitPost(quote)
	require.Greater(t, len(parts), 1)
	for i, p := range parts[1:] {
		require.True(t, strings.HasPrefix(p, "> "), "part %d: a quoted note continues as a quote", i+1)
	}
}

func TestCutRunesKeepsEscapesWhole(t *testing.T) {
	for _, c := range []struct {
		in         string
		n          int
		head, rest string
	}{
		{"abc &lt; def", 6, "abc ", "&lt; def"},
		{"abcde&lt;", 7, "abcde", "&lt;"},
		{`abcd\*ef`, 5, "abcd", `\*ef`},
		{"aaaa bbbbbbbbbbbbbb", 12, "aaaa bbbbbbb", "bbbbbbb"},
		{"word word word", 11, "word word ", "word"},
		{"日本語日本語", 4, "日本語日", "本語"},
		{"short", 10, "short", ""},
	} {
		head, rest := cutRunes(c.in, c.n)
		require.Equal(t, c.head, head, c.in)
		require.Equal(t, c.rest, rest, c.in)
	}
}

func TestShortenPostSaysWhereTheRestIs(t *testing.T) {
	notice := "(shortened: the full text is in `/devops timeline`)"
	long := "🚀 Deploy " + Inline(strings.Repeat("<x> ", 5000))
	out := shortenPost(long, MaxPostRunes, notice)
	require.LessOrEqual(t, utf8.RuneCountInString(out), MaxPostRunes)
	require.True(t, strings.HasSuffix(out, "\n"+notice))
	require.True(t, strings.HasPrefix(out, "🚀 Deploy "))
	require.True(t, utf8.ValidString(out))

	lines := strings.Repeat("a line of a reminder\n", 1000)
	out = shortenPost(lines, MaxPostRunes, notice)
	require.LessOrEqual(t, utf8.RuneCountInString(out), MaxPostRunes)
	require.True(t, strings.HasSuffix(out, "a line of a reminder\n"+notice), "cut at a line break")
}
