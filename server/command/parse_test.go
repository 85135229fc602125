package command

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTokenize(t *testing.T) {
	cases := map[string][]string{
		`/devops start incident "two words" x`:  {"/devops", "start", "incident", "two words", "x"},
		`/devops start  incident   'single q'`:  {"/devops", "start", "incident", "single q"},
		"/devops start incident “smart quotes”": {"/devops", "start", "incident", "smart quotes"},
		`/devops a "esc \" quote"`:              {"/devops", "a", `esc " quote`},
		`/devops ""`:                            {"/devops", ""},
	}
	for in, want := range cases {
		got, err := tokenize(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := tokenize(`/devops "open`)
	require.Error(t, err)
}

func TestParseFlags(t *testing.T) {
	words, f, err := parseFlags([]string{"--severity", "sev1", "incident", "Disk", "--force", "full"}, []string{"severity", "force"})
	require.NoError(t, err)
	require.Equal(t, []string{"incident", "Disk", "full"}, words)
	require.Equal(t, "sev1", f["severity"])
	require.True(t, f.has("force"))

	words, f, err = parseFlags([]string{"--severity=SEV2", "x", "--", "--force", "y"}, []string{"severity", "force"})
	require.NoError(t, err)
	require.Equal(t, []string{"x", "--force", "y"}, words)
	require.Equal(t, "SEV2", f["severity"])

	for _, bad := range [][]string{{"--bogus"}, {"--severity"}, {"--force=yes"}, {"--force", "--force"}} {
		_, _, err := parseFlags(bad, []string{"severity", "force"})
		require.Error(t, err, "%v", bad)
	}
}
