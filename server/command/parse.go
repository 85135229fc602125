package command

import (
	"fmt"
	"maps"
	"strings"
	"unicode"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// maxCommandLength bounds what the parser reads; Mattermost posts are at most 16k runes.
const maxCommandLength = 16384

// word is one whitespace-separated word of a command line and where it stands in
// the line, so that free text can be cut from the line exactly as it was typed.
type word struct {
	text       string
	start, end int // byte offsets in the line
}

// splitWords splits a command line at whitespace, keeping each word's place. Quotes
// mean nothing: people type apostrophes and quotes in status texts and titles, and
// no option value or name has a space in it.
func splitWords(line string) []word {
	var out []word
	start := -1
	for i, r := range line {
		switch {
		case unicode.IsSpace(r) && start >= 0:
			out = append(out, word{text: line[start:i], start: start, end: i})
			start = -1
		case !unicode.IsSpace(r) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, word{text: line[start:], start: start, end: len(line)})
	}
	return out
}

// flags are the parsed `--name value` and `--switch` options of a call.
type flags map[string]string

func (f flags) has(name string) bool {
	_, ok := f[name]
	return ok
}

// valueFlags take a value; the others are switches.
var valueFlags = map[string]bool{"from": true, "severity": true, "due": true, "days": true, "stage": true, "type": true, "to": true,
	"by": true}

// The service catalog's options (`/devops service add`) take values too.
func init() {
	for _, f := range serviceFlags {
		valueFlags[f] = true
	}
}

func init() {
	// rotation create's options (command/oncall.go).
	for _, f := range []string{"shift", "handoff", "timezone", "escalate-after", "discipline", "escalate-to"} {
		valueFlags[f] = true
	}
}

// valueGoesOn says, for an option whose value may be two words, whether the next
// word is the value's second: `--due 2030-12-05 15:00`, `--due tomorrow 9:00` are one
// due time, never a date and a word of the text.
var valueGoesOn = map[string]func(next string) bool{"due": app.IsClockTime}

// args is a subcommand's line after its name: its leading words, its options and,
// for a subcommand that takes text, the text as typed.
type args struct {
	words []string
	flags flags
	text  string
}

// parseArgs reads what follows a subcommand's name. A subcommand without text takes
// words and options in any order. One with text (sub.text) takes sub.leading words
// first, and then everything up to a final run of its options is the text, cut
// from the line: apostrophes, quotes, dashes, option-like words and line breaks stay
// as typed. Options may also stand before the text. A word that looks like a misspelt
// option where an option belongs (before or right after the text, or anywhere in a
// command without text) is refused with the option it resembles, rather than
// silently becoming part of a title.
func parseArgs(line string, rest []word, sub *subcommand) (args, error) {
	p := optionParser{allowed: sub.flags, out: args{flags: flags{}}}
	if !sub.text {
		for i := 0; i < len(rest); {
			n, err := p.option(rest, i, true)
			if err != nil {
				return args{}, err
			}
			if n == 0 {
				p.out.words = append(p.out.words, rest[i].text)
				n = 1
			}
			i += n
		}
		return p.out, nil
	}
	i := 0
	for i < len(rest) {
		// Before the leading words are complete, anything like an option must be one;
		// where the text may start, an unknown one is the text's first word.
		atText := len(p.out.words) == sub.leading
		n, err := p.option(rest, i, !atText)
		if err != nil {
			return args{}, err
		}
		if n == 0 {
			if atText {
				break
			}
			p.out.words = append(p.out.words, rest[i].text)
			n = 1
		}
		i += n
	}
	// The text ends where a run of known options reaching the end of the line starts.
	end := len(rest)
	for k := len(rest) - 1; k > i; k-- {
		if p.runToEnd(rest, k) {
			end = k
		}
	}
	if end > i {
		p.out.text = strings.TrimSpace(line[rest[i].start:rest[end-1].end])
	}
	for k := end; k < len(rest); {
		n, err := p.option(rest, k, true)
		if err != nil {
			return args{}, err
		}
		k += n
	}
	if end > i {
		if err := p.misspelt(rest[i:end]); err != nil {
			return args{}, err
		}
	}
	return p.out, nil
}

type optionParser struct {
	allowed []string
	out     args
}

func (p *optionParser) known(name string) bool {
	for _, a := range p.allowed {
		if a == name {
			return true
		}
	}
	return false
}

// option reads the option at rest[i] into the result and says how many words it
// took: 0 when rest[i] is not an option of the command (and, when strict, does not
// look like one either: then it is an error).
func (p *optionParser) option(rest []word, i int, strict bool) (int, error) {
	t := rest[i].text
	if !strings.HasPrefix(t, "--") || len(t) == 2 {
		if strict && len(p.allowed) > 0 {
			return 0, p.lookalike(t)
		}
		return 0, nil
	}
	name, value, hasValue := strings.Cut(t[2:], "=")
	name = strings.ToLower(name)
	if !p.known(name) {
		if !strict {
			return 0, nil
		}
		if err := p.lookalike(t); err != nil {
			return 0, err
		}
		if len(p.allowed) == 0 {
			return 0, errors.Errorf("`--%s` is not an option of this command", name)
		}
		return 0, errors.Errorf("`--%s` is not an option of this command (options: --%s)", name, strings.Join(p.allowed, ", --"))
	}
	if _, dup := p.out.flags[name]; dup {
		return 0, errors.Errorf("`--%s` is given twice", name)
	}
	n := 1
	switch {
	case valueFlags[name] && !hasValue:
		if i+1 >= len(rest) || strings.HasPrefix(rest[i+1].text, "--") {
			return 0, errors.Errorf("`--%s` needs a value", name)
		}
		value = rest[i+1].text
		n = 2
	case !valueFlags[name] && hasValue:
		return 0, errors.Errorf("`--%s` takes no value", name)
	}
	if goesOn := valueGoesOn[name]; goesOn != nil && i+n < len(rest) && !app.IsClockTime(value) && goesOn(rest[i+n].text) {
		value += " " + rest[i+n].text
		n++
	}
	p.out.flags[name] = value
	return n, nil
}

// runToEnd reports whether rest[k:] is nothing but known options with their values.
func (p *optionParser) runToEnd(rest []word, k int) bool {
	probe := optionParser{allowed: p.allowed, out: args{flags: flags{}}}
	for k < len(rest) {
		n, err := probe.option(rest, k, false)
		if err != nil || n == 0 {
			return false
		}
		k += n
	}
	return true
}

// misspelt refuses a text whose first word, or whose last words, look like a
// misspelt option (`-severity sev1`, `--sevrity sev1`, `--privat`) or an option that
// could not be read. It runs after the final options are read.
func (p *optionParser) misspelt(text []word) error {
	if len(p.allowed) == 0 {
		return nil
	}
	// A known option among the last two words is one that could not be read (no
	// value, a value it does not take, given twice): say why.
	for k := max(0, len(text)-2); k < len(text); k++ {
		name, _, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(text[k].text, "--")), "=")
		if !strings.HasPrefix(text[k].text, "--") || !p.known(name) {
			continue
		}
		probe := optionParser{allowed: p.allowed, out: args{flags: maps.Clone(p.out.flags)}}
		if _, err := probe.option(text, k, true); err != nil {
			return err
		}
	}
	candidates := []word{text[0], text[len(text)-1]}
	if len(text) > 1 {
		candidates = append(candidates, text[len(text)-2])
	}
	for _, w := range candidates {
		if err := p.lookalike(w.text); err != nil {
			return err
		}
	}
	return nil
}

// lookalike is an error when s is written like an option (leading dashes) and is
// close to one of the command's options without being it: misspelt, shortened, or
// with one dash.
func (p *optionParser) lookalike(s string) error {
	if !strings.HasPrefix(s, "-") {
		return nil
	}
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimLeft(s, "-—–")), "=")
	if len(name) < 3 {
		return nil
	}
	for _, a := range p.allowed {
		if (a == name && !strings.HasPrefix(s, "--")) || (a != name && (editDistance(a, name) <= 2 || strings.HasPrefix(a, name))) {
			return fmt.Errorf("`%s` is not an option; did you mean `--%s`?", s, a)
		}
	}
	return nil
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
