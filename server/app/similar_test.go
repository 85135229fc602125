package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSimilarTitles(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"Checkout errors in EU", "checkout errors EU", true},
		{"Checkout errors in EU", "Checkout errors", true},
		{"Checkout errors in EU", "Login errors in US", false},
		{"Release 2.4.0", "release 2.4.0", true},
		{"Release 2.4.0", "Release 2.5.0", false},
		{"Outage number 0 in region 0", "Outage number 3 in region 93", false},
		{"Database failover", "Database failover test", true},
		{"Database", "Cache", false},
	}
	for _, c := range cases {
		require.Equal(t, c.want, similarTokens(titleTokens(c.a), titleTokens(c.b)), "%q ~ %q", c.a, c.b)
	}
}

func TestSlugAndVersion(t *testing.T) {
	require.Equal(t, "checkout-errors-in-eu", Slug("Checkout errors in EU!", 40))
	require.Equal(t, "abc", Slug("  --ABC--  ", 40))
	require.Equal(t, "a-n-b", Slug("a ünï b", 40))
	require.LessOrEqual(t, len(Slug("word word word word word word word", 10)), 10)
	require.Equal(t, "2.4.0", VersionIn("Release v2.4.0 for EU"))
	require.Equal(t, "3.1.0-rc1", VersionIn("Ship 3.1.0-rc1"))
	require.Equal(t, "", VersionIn("No version here"))
}

func TestInlineNeutralisesMarkdownAndMentions(t *testing.T) {
	out := Inline("@channel [x](http://e.vil) **b** <script>")
	require.NotContains(t, out, "@channel")
	require.NotContains(t, out, "](http")
	require.NotContains(t, out, "<script>")
	require.Contains(t, out, `\*\*b\*\*`)
}
