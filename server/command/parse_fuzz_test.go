package command

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary command lines through the tokenizer and the flag parser:
// they must never panic, and what they return must be consistent with the input.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`/devops start incident "Checkout errors" --severity sev1 --force`,
		`/devops start incident -- --severity in title`,
		`/devops task add "fix it" @alex --due=2h`,
		`/devops "unclosed`, `/devops 'single' “smart” \"`, "/devops \x00\xff --", `--=`, `--severity=`,
	} {
		f.Add(seed)
	}
	allowed := []string{"severity", "private", "force", "due", "days", "mine", "closed"}
	f.Fuzz(func(t *testing.T, line string) {
		tokens, err := tokenize(line)
		if err != nil {
			return
		}
		for _, tok := range tokens {
			if utf8.ValidString(line) && !utf8.ValidString(tok) {
				t.Fatalf("valid input produced an invalid token %q", tok)
			}
		}
		words, fl, err := parseFlags(tokens, allowed)
		if err != nil {
			return
		}
		if len(words) > len(tokens) {
			t.Fatalf("more words (%d) than tokens (%d)", len(words), len(tokens))
		}
		for name := range fl {
			if !strings.Contains(strings.ToLower(line), "--"+name) {
				t.Fatalf("flag %q not in the input", name)
			}
		}
	})
}
