package app

import (
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
)

// MaxPostRunes is the longest message Mattermost accepts in a post; it refuses a
// longer one outright.
const MaxPostRunes = model.PostMessageMaxRunesV2

// overflow says what becomes of a message longer than a post.
type overflow int

const (
	// splitLong posts it as several posts, cut on line boundaries: a long handoff
	// note or retrospective is read whole.
	splitLong overflow = iota
	// shortenLong cuts it and says so, where a second post makes no sense: a CI
	// event linked from the timeline, a reminder, a broadcast, a briefing.
	shortenLong
)

// send is the one place the plugin writes bot posts (the actions of a workflow's
// posts are drawn by postAbout, in actions.go). It never sends more than
// Mattermost accepts: a longer message is split or shortened (counted as posted,
// after escaping). It returns the first post written; when Mattermost refuses one,
// it logs why and returns a refusal that tells the person who acted that the change
// is saved but its post is missing.
func (s *Service) send(p *model.Post, long overflow) (*model.Post, error) {
	p.UserId = s.mm.BotID()
	var first *model.Post
	parts := s.fit(p.Message, long)
	for i, part := range parts {
		next := p.Clone()
		next.Message = part
		if i < len(parts)-1 && p.GetProp(model.PostPropsAttachments) != nil {
			// A post's actions go under its last part, after all they act on.
			props := maps.Clone(p.GetProps())
			delete(props, model.PostPropsAttachments)
			next.SetProps(props)
		}
		if i > 0 {
			next.CreateAt = 0
		}
		created, err := s.mm.CreatePost(next)
		if err != nil {
			s.mm.LogError("Could not post in a workflow channel", "channel_id", p.ChannelId, "err", err.Error())
			return first, &Error{Kind: KindNotPosted, Message: fmt.Sprintf(
				"Saved, but Mattermost refused the post announcing it (%s): the channel does not show it; `/%s timeline` has it.",
				strings.TrimSuffix(err.Error(), "."), s.settings().CommandTrigger)}
		}
		if first == nil {
			first = created
		}
	}
	return first, nil
}

// postIn writes a bot post in a channel, dated at when at is not 0 (see Start).
func (s *Service) postIn(channelID, message string, at int64) error {
	_, err := s.send(&model.Post{ChannelId: channelID, Message: message, CreateAt: at}, splitLong)
	return err
}

// post writes a bot post in the workflow's channel. Its error is for the door: the
// state change it announces is already saved.
func (s *Service) post(w *Workflow, message string) error {
	return s.postIn(w.ChannelID, message, 0)
}

// ephemeral shows a message to one user in a channel, shortened to a post's length.
func (s *Service) ephemeral(userID, channelID, message string) {
	s.mm.SendEphemeral(userID, channelID, s.fit(message, shortenLong)[0])
}

func (s *Service) fit(message string, long overflow) []string {
	if utf8.RuneCountInString(message) <= MaxPostRunes {
		return []string{message}
	}
	if long == shortenLong {
		return []string{shortenPost(message, MaxPostRunes, fmt.Sprintf("(shortened: the full text is in `/%s timeline`)", s.settings().CommandTrigger))}
	}
	return splitPost(message)
}

// splitPost cuts message into posts, between lines; a line longer than a post is
// cut between words (cutRunes).
func splitPost(message string) []string {
	const max = MaxPostRunes
	var parts []string
	var cur strings.Builder
	size := 0
	flush := func() {
		if part := strings.Trim(cur.String(), "\n"); part != "" {
			parts = append(parts, part)
		}
		cur.Reset()
		size = 0
	}
	for _, line := range strings.SplitAfter(message, "\n") {
		n := utf8.RuneCountInString(line)
		for n > max {
			flush()
			head, rest := cutRunes(line, max)
			parts = append(parts, head)
			line, n = rest, utf8.RuneCountInString(rest)
		}
		if size+n > max {
			flush()
		}
		cur.WriteString(line)
		size += n
	}
	flush()
	return parts
}

// shortenPost cuts message to at most max runes, notice included, at the last line
// break in the second half of what fits, or else between words.
func shortenPost(message string, max int, notice string) string {
	head, _ := cutRunes(message, max-utf8.RuneCountInString(notice)-1)
	if i := strings.LastIndexByte(head, '\n'); i > len(head)/2 {
		head = head[:i]
	}
	return strings.TrimRight(head, "\n ") + "\n" + notice
}

// cutRunes splits s after at most n runes, at the last space of the last quarter
// when there is one, never inside what escaping made of one character (&lt;, \*)
// or a multi-byte character.
func cutRunes(s string, n int) (head, rest string) {
	end, count := 0, 0
	for end < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
		count++
	}
	if end == len(s) {
		return s, ""
	}
	cut := end
	if i := strings.LastIndexByte(s[:end], ' '); i >= end-end/4 && i > 0 {
		cut = i + 1
	}
	// An entity or an escape sequence cut in two shows its halves.
	if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && cut-amp < 5 && !strings.Contains(s[amp:cut], ";") {
		cut = amp
	}
	for cut > 0 && s[cut-1] == '\\' {
		cut--
	}
	if cut == 0 {
		cut = end
	}
	return s[:cut], s[cut:]
}
