package app

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// source is the message a workflow is started from (`start --from <permalink>`, the
// post menu's "Start a workflow…"): the workflow's first post quotes and links it,
// and a reply in its thread links the new channel.
type source struct {
	post    *model.Post
	channel *model.Channel
	link    string // the message's permalink
	author  string // its author's username
}

// Limits of the quote in the workflow's first post: enough to say what happened.
const (
	sourceQuoteLines = 8
	sourceQuoteRunes = 1000
)

// PostIDFromPermalink takes the post id from a permalink as Mattermost's "Copy Link"
// gives it (https://host/<team>/pl/<post id>), or a bare post id.
func PostIDFromPermalink(permalink string) (string, error) {
	s := strings.Trim(strings.TrimSpace(permalink), "<>")
	if model.IsValidId(s) {
		return s, nil
	}
	u, err := url.Parse(s)
	if err == nil {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if n := len(parts); n >= 2 && parts[n-2] == "pl" && model.IsValidId(parts[n-1]) {
			return parts[n-1], nil
		}
	}
	return "", invalid("%q is not a message link: use the message's \"Copy Link\" (…/<team>/pl/<id>).", truncateRunes(cleanText(s), 80))
}

// startSource reads the message a start names, if the actor may read it. A message
// that does not exist, was deleted, or is in a channel the actor cannot read gets the
// same answer, so a link does not tell whether there is something behind it.
func (s *Service) startSource(actorID, teamID, postID string) (*source, error) {
	if !model.IsValidId(postID) {
		return nil, invalid("from_post_id must be a message id (26 letters and digits).")
	}
	missing := notFound("No message found at that link that you can read.")
	post, err := s.mm.GetPost(postID)
	if err != nil || post.DeleteAt != 0 {
		return nil, missing
	}
	ch, err := s.mm.GetChannel(post.ChannelId)
	if err != nil || !s.mayReadChannel(actorID, ch) {
		return nil, missing
	}
	src := &source{post: post, channel: ch}
	if author, err := s.mm.GetUserCached(post.UserId); err == nil {
		src.author = author.Username
	}
	// Direct and group messages belong to no team: their permalinks work under any.
	linkTeam := ch.TeamId
	if linkTeam == "" {
		linkTeam = teamID
	}
	if team, err := s.mm.GetTeam(linkTeam); err == nil {
		src.link = fmt.Sprintf("%s/%s/pl/%s", strings.TrimRight(s.mm.SiteURL(), "/"), team.Name, post.Id)
	}
	return src, nil
}

// mayReadChannel is whether Mattermost lets a user read a channel: its members, and
// for a public channel whoever may read the team's public channels (not guests).
func (s *Service) mayReadChannel(userID string, ch *model.Channel) bool {
	if s.mm.IsChannelMember(ch.Id, userID) {
		return true
	}
	return ch.Type == model.ChannelTypeOpen && s.readsPublicChannels(userID, ch.TeamId)
}

// title is the message's first line with text, as the default title of the workflow:
// a markdown heading's or quote's marks dropped, cut to the title limit.
func (src *source) title() string {
	for _, line := range strings.Split(src.post.Message, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "#>"))
		if line = cleanText(line); line != "" {
			return truncateRunes(line, MaxTitleRunes)
		}
	}
	return ""
}

// quote is the first post's paragraph about the message: who wrote it, a link, and
// its first lines as a quote (mentions and links made inert).
func (src *source) quote() string {
	lines := strings.Split(strings.TrimSpace(src.post.Message), "\n")
	if len(lines) > sourceQuoteLines {
		lines = append(lines[:sourceQuoteLines], "…")
	}
	text := truncateRunes(cleanNote(strings.Join(lines, "\n")), sourceQuoteRunes)
	where := "a message"
	if src.link != "" {
		where = fmt.Sprintf("[a message](%s)", src.link)
	}
	by := ""
	if src.author != "" {
		// Named, not mentioned: the author is told by the thread's reply, where they are.
		by = " by " + Inline("@"+src.author)
	}
	if src.title() == "" { // nothing but marks or files
		return fmt.Sprintf("**Started from** %s%s.", where, by)
	}
	return fmt.Sprintf("**Started from** %s%s:\n%s", where, by, Quoted(text))
}

// replyInThread tells the message's thread about the workflow started from it. A
// private workflow is not named there: the thread's readers may not be its members.
func (s *Service) replyInThread(src *source, w *Workflow, tmpl *Template, actorID string) {
	root := src.post.RootId
	if root == "" {
		root = src.post.Id
	}
	msg := fmt.Sprintf("%s started %s ~%s from this message.", s.mention(actorID), article(tmpl.Name), w.ChannelName)
	if w.Private {
		msg = fmt.Sprintf("%s started a private %s from this message; its members find it in their sidebar.", s.mention(actorID), strings.ToLower(tmpl.Name))
	}
	if _, err := s.send(&model.Post{ChannelId: src.channel.Id, RootId: root, Message: msg}, splitLong); err != nil {
		s.mm.LogError("Could not reply in the thread of a workflow's source message", "post_id", src.post.Id, "err", err.Error())
	}
}

// article is "an incident", "a release".
func article(name string) string {
	lower := strings.ToLower(name)
	if lower != "" && strings.ContainsRune("aeiou", rune(lower[0])) {
		return "an " + lower
	}
	return "a " + lower
}
