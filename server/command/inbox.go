package command

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// todo answers `/devops todo`: what waits for the caller across the team's workflows.
func (h *Handler) todo(c *call) *model.CommandResponse {
	if len(c.words) > 0 {
		return ephemeral("Usage: `/%s todo`.", c.trigger)
	}
	in, err := h.svc.Inbox(context.Background(), c.args.UserId, c.args.TeamId)
	if err != nil {
		return h.fail(c, err)
	}
	now := time.Now()
	text := h.svc.RenderInbox(in, h.svc.Location(c.args.UserId), now)
	if text == "" {
		return ephemeral("Nothing waits for you in this team's workflows: no open tasks of yours, no sign-off your discipline could give, no status update due.")
	}
	return ephemeral("#### What waits for you\n%s", text)
}

// digest answers `/devops digest [on|off]`.
func (h *Handler) digest(c *call) *model.CommandResponse {
	ctx := context.Background()
	if len(c.words) == 0 {
		on, err := h.svc.DigestOn(ctx, c.args.UserId)
		if err != nil {
			return h.fail(c, err)
		}
		return ephemeral("%s", digestState(on, h.svc.Settings().WorkStart, c.trigger))
	}
	if len(c.words) > 1 {
		return ephemeral("Usage: `/%s digest [on|off]`.", c.trigger)
	}
	var on bool
	switch strings.ToLower(c.words[0]) {
	case "on":
		on = true
	case "off":
	default:
		return ephemeral("Usage: `/%s digest [on|off]`.", c.trigger)
	}
	if err := h.svc.SetDigest(ctx, c.args.UserId, on); err != nil {
		return h.fail(c, err)
	}
	return ephemeral("%s", digestState(on, h.svc.Settings().WorkStart, c.trigger))
}

// digestState says whether the digest is on and when it comes.
func digestState(on bool, workStart int, trigger string) string {
	if !on {
		return fmt.Sprintf("Your daily digest is **off**. `/%s digest on` turns it on; `/%s todo` shows what waits any time.", trigger, trigger)
	}
	return fmt.Sprintf("Your daily digest is **on**: a direct message at %02d:%02d on weekdays, the start of working hours in your own time zone, when something waits for you. `/%s digest off` stops it.",
		workStart/60, workStart%60, trigger)
}
