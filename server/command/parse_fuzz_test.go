package command

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary command lines through the word splitter and the option
// parser: they must never panic, the text must be a piece of the line as typed, and
// every option found must be in the line.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`/devops start incident "Checkout errors" --severity sev1 --force`,
		`/devops start incident -- --severity in title`,
		"/devops task add fix it --to @alex --due=2h",
		"/devops status We're rolling back\nit's the deploy --dry-run",
		`/devops "unclosed`, `/devops 'single' “smart” \"`, "/devops \x00\xff --", `--=`, `--severity=`,
	} {
		f.Add(seed)
	}
	subs := []*subcommand{
		{name: "start", flags: []string{"severity", "private", "force"}, text: true, leading: 1},
		{name: "status", text: true},
		{name: "task", flags: []string{"due", "to"}, text: true, leading: 1},
		{name: "list", flags: []string{"mine", "closed", "days"}},
	}
	f.Fuzz(func(t *testing.T, line string) {
		words := splitWords(line)
		for _, w := range words {
			if w.text != line[w.start:w.end] || w.text == "" {
				t.Fatalf("word %q does not stand at %d:%d", w.text, w.start, w.end)
			}
			if utf8.ValidString(line) && !utf8.ValidString(w.text) {
				t.Fatalf("valid input produced an invalid word %q", w.text)
			}
		}
		if len(words) < 2 {
			return
		}
		for _, sub := range subs {
			got, err := parseArgs(line, words[2:], sub)
			if err != nil {
				continue
			}
			if !strings.Contains(line, got.text) {
				t.Fatalf("%s: text %q is not in the line", sub.name, got.text)
			}
			if !sub.text && got.text != "" {
				t.Fatalf("%s takes no text but got %q", sub.name, got.text)
			}
			for name := range got.flags {
				if !strings.Contains(strings.ToLower(line), "--"+name) {
					t.Fatalf("%s: option %q not in the line", sub.name, name)
				}
			}
		}
	})
}
