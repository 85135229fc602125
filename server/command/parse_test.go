package command

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitWordsKeepsPlaces(t *testing.T) {
	line := "/devops  status We're\n rolling back"
	words := splitWords(line)
	require.Len(t, words, 5)
	for _, w := range words {
		require.Equal(t, w.text, line[w.start:w.end])
	}
	require.Equal(t, []string{"/devops", "status", "We're", "rolling", "back"},
		[]string{words[0].text, words[1].text, words[2].text, words[3].text, words[4].text})
}

var (
	startSub  = &subcommand{name: "start", flags: []string{"severity", "private", "force", "from"}, text: true, leading: 1}
	statusSub = &subcommand{name: "status", text: true}
	taskSub   = &subcommand{name: "task", flags: []string{"due", "to"}, text: true, leading: 1}
	listSub   = &subcommand{name: "list", flags: []string{"mine", "closed"}}
)

// parse runs a whole command line the way Execute does.
func parse(line string, sub *subcommand) (args, error) {
	words := splitWords(line)
	return parseArgs(line, words[2:], sub)
}

// Text is taken from the line as typed: what people really write in status
// updates, closing notes and task texts.
func TestTextAsTyped(t *testing.T) {
	for _, text := range []string{
		"We're rolling back; it's the 2.4.0 deploy",
		"It's fixed",
		"Impact: checkout down in EU\nMitigation: rolled back 2.4.0\nNext: update in 30 minutes",
		"--dry-run showed no drift, applying now",
		"step 1 -- done",
		`"quoted" words and 'single' ones`,
		"Deploy -severity of the day",
		"Ping @sue about --force pushes   with  spaces",
	} {
		got, err := parse("/devops status "+text, statusSub)
		require.NoError(t, err, text)
		require.Equal(t, text, got.text)
		require.Empty(t, got.words)
	}
}

func TestOptionsAroundText(t *testing.T) {
	got, err := parse("/devops start incident Checkout down --severity sev1 --force", startSub)
	require.NoError(t, err)
	require.Equal(t, []string{"incident"}, got.words)
	require.Equal(t, "Checkout down", got.text)
	require.Equal(t, flags{"severity": "sev1", "force": ""}, got.flags)

	got, err = parse("/devops start --private incident --severity=SEV2 It's the DB", startSub)
	require.NoError(t, err)
	require.Equal(t, []string{"incident"}, got.words)
	require.Equal(t, "It's the DB", got.text)
	require.Equal(t, flags{"severity": "SEV2", "private": ""}, got.flags)

	// An option's name in the middle of the text is text.
	got, err = parse("/devops start incident Fix --force push hooks", startSub)
	require.NoError(t, err)
	require.Equal(t, "Fix --force push hooks", got.text)
	require.Empty(t, got.flags)

	// Starting from a message: the link is the option's value; a title may follow or not.
	link := "https://mm.example.com/eng/pl/" + strings.Repeat("a", 26)
	got, err = parse("/devops start incident --from "+link, startSub)
	require.NoError(t, err)
	require.Equal(t, []string{"incident"}, got.words)
	require.Empty(t, got.text)
	require.Equal(t, flags{"from": link}, got.flags)
	got, err = parse("/devops start incident --from "+link+" Checkout errors --severity sev1", startSub)
	require.NoError(t, err)
	require.Equal(t, "Checkout errors", got.text)
	require.Equal(t, flags{"from": link, "severity": "sev1"}, got.flags)
	_, err = parse("/devops start incident --from", startSub)
	require.ErrorContains(t, err, "`--from` needs a value")

	got, err = parse("/devops task add Roll back checkout-api --to @dev --due 30m", taskSub)
	require.NoError(t, err)
	require.Equal(t, "Roll back checkout-api", got.text)
	require.Equal(t, flags{"to": "@dev", "due": "30m"}, got.flags)

	got, err = parse("/devops task add Sync with @sue", taskSub)
	require.NoError(t, err)
	require.Equal(t, "Sync with @sue", got.text, "a trailing mention is part of the task")
	require.Empty(t, got.flags)
}

func TestMisspeltOptionsWhereOptionsBelong(t *testing.T) {
	for line, want := range map[string]string{
		"/devops start incident Disk full -severity sev1":       "did you mean `--severity`",
		"/devops start incident Disk full --sevrity sev1":       "did you mean `--severity`",
		"/devops start incident Disk full --privat":             "did you mean `--private`",
		"/devops start incident --sevrity sev1 Disk full":       "did you mean `--severity`",
		"/devops start --bogus incident Disk":                   "`--bogus` is not an option of this command (options: --severity, --private, --force, --from)",
		"/devops start incident Disk full --severity":           "`--severity` needs a value",
		"/devops start incident Disk --severity a --severity b": "`--severity` is given twice",
		"/devops start incident Disk --force=yes":               "`--force` takes no value",
	} {
		_, err := parse(line, startSub)
		require.Error(t, err, line)
		require.Contains(t, err.Error(), want, line)
	}
	_, err := parse("/devops list --mien", listSub)
	require.ErrorContains(t, err, "did you mean `--mine`")
	got, err := parse("/devops list incident --closed", listSub)
	require.NoError(t, err)
	require.Equal(t, []string{"incident"}, got.words)
	require.True(t, got.flags.has("closed"))
}

func TestEditDistance(t *testing.T) {
	require.Equal(t, 0, editDistance("start", "start"))
	require.Equal(t, 2, editDistance("satrt", "start"))
	require.Equal(t, 1, editDistance("severty", "severity"))
	require.Equal(t, 5, editDistance("", "hello"))
}

func TestUnquoteTitle(t *testing.T) {
	for in, want := range map[string]string{
		`"Checkout errors in EU"`: "Checkout errors in EU",
		`'Disk full'`:             "Disk full",
		"“Smart quotes”":          "Smart quotes",
		`"The "quoted" word"`:     `"The "quoted" word"`,
		`It's the DB`:             "It's the DB",
		`"Half quoted`:            `"Half quoted`,
		`""`:                      `""`,
		`The "--severity" flag's`: `The "--severity" flag's`,
	} {
		require.Equal(t, want, unquoteTitle(in), in)
	}
}

// The help is a GFM table, and GFM splits a row at every "|" not escaped, code spans
// included: every row must have the header's cells, or Mattermost shows broken columns.
func TestHelpTableRenders(t *testing.T) {
	h := &Handler{}
	h.subs = h.subcommands()
	var rows []string
	for _, line := range strings.Split(h.reference("devops"), "\n") {
		if strings.HasPrefix(line, "|") {
			rows = append(rows, line)
		}
	}
	require.Greater(t, len(rows), 10)
	cells := func(row string) int { return len(regexp.MustCompile(`[^\\]\|`).FindAllString(" "+row, -1)) }
	for _, row := range rows {
		require.Equal(t, cells(rows[0]), cells(row), row)
	}
}
