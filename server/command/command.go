// Package command is the slash-command door: it parses `/devops ...` and calls the service.
package command

import (
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/app"
)

// Host is what the door needs from Mattermost beyond the service.
type Host interface {
	GetUserCached(userID string) (*model.User, error)
	OpenDialog(req model.OpenDialogRequest) error
	LogError(msg string, keyValuePairs ...any)
}

// Handler parses and runs slash commands.
type Handler struct {
	svc      *app.Service
	settings func() *app.Settings
	users    Host
	log      Host
	subs     []*subcommand
	byName   map[string]*subcommand
}

// call is one parsed invocation.
type call struct {
	args    *model.CommandArgs
	trigger string
	words   []string // positional words after the subcommand
	flags   flags
	text    string // a subcommand's free text, as typed (see parseArgs)
}

// subcommand is one `/devops <name>`: its usage line, help, and what it runs.
type subcommand struct {
	name  string
	usage string
	help  string
	flags []string // flags it accepts, without "--"
	// text: after its first leading words, the rest of the line is free text, kept
	// as typed (a title, a status update, a note).
	text    bool
	leading int
	// examples are whole command lines after the trigger, shown by `help <name>`.
	examples []string
	run      func(h *Handler, c *call) *model.CommandResponse
}

// New builds the handler.
func New(svc *app.Service, settings func() *app.Settings, host Host) *Handler {
	h := &Handler{svc: svc, settings: settings, users: host, log: host, byName: map[string]*subcommand{}}
	h.subs = beforeHelp(h.subcommands(), h.oncallSubcommands())
	for _, s := range h.subs {
		h.byName[s.name] = s
	}
	return h
}

// Command describes the slash command for registration.
func (h *Handler) Command(trigger string) *model.Command {
	return &model.Command{
		Trigger:          trigger,
		DisplayName:      "DevOps Channels",
		Description:      "Run releases, incidents, QA cycles and more as workflow channels.",
		AutoComplete:     true,
		AutoCompleteDesc: "Workflow channels: start, list, info, stage, signoff, status, tasks, help",
		AutoCompleteHint: "[command]",
		AutocompleteData: h.autocomplete(trigger),
	}
}

// Execute runs a slash command and always answers: refusals and errors are
// ephemeral messages, never server errors; a panic is logged and answered too.
func (h *Handler) Execute(args *model.CommandArgs) (resp *model.CommandResponse) {
	defer app.Recover(h.log, "slash command", func() {
		resp = ephemeral("Something went wrong running this command; it has been logged. Try again, or ask your system admin to check the server log.")
	})
	trigger := h.settings().CommandTrigger
	if len(args.Command) > maxCommandLength {
		return ephemeral("The command is longer than %d characters. Try `/%s help`.", maxCommandLength, trigger)
	}
	words := splitWords(args.Command)
	if len(words) > 0 {
		words = words[1:] // the trigger itself
	}
	name := "help"
	if len(words) > 0 {
		name = strings.ToLower(words[0].text)
		words = words[1:]
	}
	sub, ok := h.byName[name]
	if !ok {
		return ephemeral("Unknown command `%s`.%s Try `/%s help`.", name, h.didYouMean(name, trigger), trigger)
	}
	parsed, err := parseArgs(args.Command, words, sub)
	if err != nil {
		msg := err.Error()
		if !strings.HasSuffix(msg, "?") {
			msg += "."
		}
		return ephemeral("%s Usage: `/%s %s`", msg, trigger, sub.usage)
	}
	return sub.run(h, &call{args: args, trigger: trigger, words: parsed.words, flags: parsed.flags, text: parsed.text})
}

// didYouMean names the subcommand nearest a mistyped one (`satrt` → `start`).
func (h *Handler) didYouMean(name, trigger string) string {
	best, dist := "", 3
	for _, s := range h.subs {
		if d := editDistance(name, s.name); d < dist {
			best, dist = s.name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean `/%s %s`?", trigger, best)
}

// ephemeral answers only the caller. SkipSlackParsing: the text is Markdown written
// here, never Slack markup, so the server must not turn a title's "<!channel>" into
// "@channel" or look up "<@id>" forms in it (and need not scan the text for them).
func ephemeral(format string, a ...any) *model.CommandResponse {
	return &model.CommandResponse{
		ResponseType:     model.CommandResponseTypeEphemeral,
		Text:             fmt.Sprintf(format, a...),
		SkipSlackParsing: true,
	}
}

// usageOf renders one subcommand's help: its usage, what it does and its examples.
func (h *Handler) usageOf(s *subcommand, trigger string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### /%s %s\n`/%s %s`\n\n%s\n", trigger, s.name, trigger, s.usage, s.help)
	if len(s.examples) > 0 {
		b.WriteString("\n**Examples**\n")
		for _, ex := range s.examples {
			fmt.Fprintf(&b, "- `/%s %s`\n", trigger, ex)
		}
	}
	fmt.Fprintf(&b, "\n`/%s help` lists every command.", trigger)
	return b.String()
}

// reference renders the command reference shown by help.
func (h *Handler) reference(trigger string) string {
	var b strings.Builder
	b.WriteString("#### DevOps Channels\n")
	b.WriteString("Every release, incident, QA cycle, support escalation, security issue, platform change or sprint gets a channel with stages, sign-off gates, a checklist and a timeline.\n\n")
	b.WriteString("| Command | What it does |\n|:--|:--|\n")
	for _, s := range h.subs {
		fmt.Fprintf(&b, "| `/%s %s` | %s |\n", trigger, s.usage, s.help)
	}
	return b.String()
}
