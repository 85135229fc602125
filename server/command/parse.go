package command

import (
	"strings"
	"unicode"

	"github.com/pkg/errors"
)

// maxCommandLength bounds what the parser reads; Mattermost posts are at most 16k runes.
const maxCommandLength = 16384

// tokenize splits a command line into words. Double or single quotes group words
// ("two words"), a backslash escapes the next character inside double quotes, and
// typographic quotes (which phones insert) count as double quotes.
func tokenize(line string) ([]string, error) {
	if len(line) > maxCommandLength {
		return nil, errors.Errorf("The command is longer than %d characters", maxCommandLength)
	}
	var (
		out     []string
		cur     strings.Builder
		inWord  bool
		quote   rune
		escaped bool
	)
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote != 0:
			switch {
			case r == '\\' && quote == '"':
				escaped = true
			case r == quote || (quote == '"' && (r == '”' || r == '“')):
				quote = 0
			default:
				cur.WriteRune(r)
			}
		case r == '"' || r == '“' || r == '”':
			quote, inWord = '"', true
		case r == '\'':
			quote, inWord = '\'', true
		case unicode.IsSpace(r):
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("A quote is not closed")
	}
	if escaped {
		cur.WriteRune('\\')
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

// flags are the parsed `--name value` and `--switch` options of a call.
type flags map[string]string

func (f flags) has(name string) bool {
	_, ok := f[name]
	return ok
}

// valueFlags take a value; the others are switches.
var valueFlags = map[string]bool{"severity": true, "due": true, "days": true, "stage": true, "type": true}

// parseFlags separates flags from positional words. Flags may stand anywhere after
// the subcommand; an unknown flag, a repeated one or a missing value is an error
// rather than silently becoming part of a title. `--` ends flag parsing.
func parseFlags(tokens []string, allowed []string) (words []string, f flags, err error) {
	f = flags{}
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		if t == "--" {
			words = append(words, tokens[i+1:]...)
			break
		}
		if !strings.HasPrefix(t, "--") || len(t) == 2 {
			words = append(words, t)
			continue
		}
		name, value, hasValue := strings.Cut(t[2:], "=")
		name = strings.ToLower(name)
		if !ok[name] {
			if len(allowed) == 0 {
				return nil, nil, errors.Errorf("`--%s` is not an option of this command", name)
			}
			return nil, nil, errors.Errorf("`--%s` is not an option of this command (options: --%s)", name, strings.Join(allowed, ", --"))
		}
		if _, dup := f[name]; dup {
			return nil, nil, errors.Errorf("`--%s` is given twice", name)
		}
		if valueFlags[name] && !hasValue {
			if i+1 >= len(tokens) || strings.HasPrefix(tokens[i+1], "--") {
				return nil, nil, errors.Errorf("`--%s` needs a value", name)
			}
			i++
			value = tokens[i]
		}
		if !valueFlags[name] && hasValue {
			return nil, nil, errors.Errorf("`--%s` takes no value", name)
		}
		f[name] = value
	}
	return words, f, nil
}
