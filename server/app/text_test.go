package app

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/shared/markdown"
	"github.com/stretchr/testify/require"
)

func TestCleanTextDropsInvisibleCharacters(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"right-to-left override", "Deploy \u202egnp.exe\u202c", "Deploy gnp.exe"},
		{"every bidi embedding, override and isolate",
			"a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j\u200ek\u200fl\u061cm", "abcdefghijklm"},
		{"zero-width space and non-joiner", "dep\u200bloy pro\u200cd", "deploy prod"},
		{"word joiner, byte-order mark, soft hyphen", "\ufeffre\u2060lea\u00adse", "release"},
		{"joiner between letters", "a\u200db", "ab"},
		{"joiner at the end", "🚀\u200d", "🚀"},
		{"emoji sequence kept", "on call 👩\u200d💻 and 👨🏽\u200d🚀 and 🏳\ufe0f\u200d🌈", "on call 👩\u200d💻 and 👨🏽\u200d🚀 and 🏳\ufe0f\u200d🌈"},
		{"subdivision flag kept", "Scotland 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "Scotland 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"},
		{"stray tag characters", "x\U000e0067y", "xy"},
		{"only invisible", "\u200b\u202e\u2066", ""},
		{"multi-byte text untouched", "Größe ändern — 日本語 ✅", "Größe ändern — 日本語 ✅"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, cleanText(c.in))
			require.Equal(t, c.want, cleanNote(c.in))
		})
	}
	require.Equal(t, "line one\nline two", cleanNote("line\u200b one\n\u202eline two"), "a note keeps its line breaks")
}

// linkNodes lists what Mattermost's own markdown parser (the server side of its
// autolinker) makes a link of in msg.
func linkNodes(msg string) []string {
	var found []string
	markdown.Inspect(msg, func(node any) bool {
		switch n := node.(type) {
		case *markdown.Autolink:
			found = append(found, "autolink "+n.Destination())
		case *markdown.InlineLink:
			found = append(found, "link "+n.Destination())
		case *markdown.InlineImage:
			found = append(found, "image "+n.Destination())
		case *markdown.ReferenceLink, *markdown.ReferenceImage:
			found = append(found, "reference")
		}
		return true
	})
	return found
}

// hostName is the webapp's bare-link form, host.tld/path (and www.host): letters or
// digits, a dot, then letters. Inline must leave none, whatever precedes it.
var hostName = regexp.MustCompile(`[A-Za-z0-9-]\.[A-Za-z]`)

var linkForms = []string{
	"www.example.com", "WWW.example.com/x", "www1.example.com", "(www.example.com)", "*www.example.com*",
	"_www.example.com_", "~www.example.com", "<www.example.com>", "example.com/path", "docs.example.co.uk/a?b=c",
	"http://evil.example", "HTTPS://evil.example/x", "ftp://files.example", "mailto:a@example.com",
	"tel:+15551234", "myapp://open/x", "[text](http://evil.example)", "[t][r]\n\n[r]: http://evil.example",
	"![img](http://evil.example/x.png)", "<http://evil.example>", "someone@example.com", "http:/\u200b/example.com",
	"checkout-api.prod.example.internal/health", "www.0", "0www.0",
}

func TestInlineLeavesNothingMattermostLinks(t *testing.T) {
	for _, form := range linkForms {
		for _, in := range []string{form, "Deploy " + form + " now", "**" + form + "**", "x" + form} {
			out := Inline(in)
			require.Empty(t, linkNodes(out), "%q rendered as %q", in, out)
			require.NotRegexp(t, hostName, out, "%q rendered as %q", in, out)
			require.NotEmpty(t, linkNodes(in+" http://control.example"), "the parser finds links at all")
		}
	}
	require.Equal(t, "Release 1.2.3 on api\u200b.example", Inline("Release 1.2.3 on api.example"), "version numbers stay as typed")
}

// FuzzInline renders arbitrary text as a bot post would: Mattermost's parser must
// find no link, image or autolink in it.
func FuzzInline(f *testing.F) {
	for _, seed := range linkForms {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Inline(cleanText(in))
		if found := linkNodes(out); len(found) > 0 {
			t.Fatalf("%q rendered as %q has %v", in, out, found)
		}
		if hostName.MatchString(out) {
			t.Fatalf("%q rendered as %q keeps a host name", in, out)
		}
		if strings.Contains(out, "://") {
			t.Fatalf("%q rendered as %q keeps a scheme", in, out)
		}
	})
}

// A title that repeats the type word is not doubled in headings.
func TestShortTitle(t *testing.T) {
	for title, want := range map[string]string{
		"Release 2.4.0":          "2.4.0",
		"release v2.4.0":         "v2.4.0",
		"Release: spring train":  "spring train",
		"Release — 2.4":          "2.4",
		"Release train 2.4":      "Release train 2.4",
		"Releases 2.4":           "Releases 2.4",
		"Release-2.4.0":          "Release-2.4.0",
		"Release":                "Release",
		"Checkout errors in EU":  "Checkout errors in EU",
		"Release 3 hotfix build": "3 hotfix build",
	} {
		require.Equal(t, want, ShortTitle("Release", title), title)
	}
	require.Equal(t, "Release 3: 2.4.0", Headline("Release", 3, "Release 2.4.0"))
	require.Equal(t, "Incident 7: DB \\*down\\*", Headline("Incident", 7, "Incident: DB *down*"))
}
