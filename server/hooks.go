package main

import (
	"context"
	"os"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// schedulerKey names the cluster job: the plugin API runs it on one node per tick.
const schedulerKey = "devops_scheduler"

// schedulerTick is how often reminders and archiving are checked. DEVOPS_SCHEDULER_TICK
// shortens it for tests (the harness passes it to the server, whose plugins inherit it).
func schedulerTick() time.Duration {
	if v := os.Getenv("DEVOPS_SCHEDULER_TICK"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d >= 100*time.Millisecond {
			return d
		}
	}
	return time.Minute
}

func (p *Plugin) startScheduler() error {
	job, err := cluster.Schedule(p.API, schedulerKey, cluster.MakeWaitForInterval(schedulerTick()), p.runScheduled)
	if err != nil {
		return errors.Wrap(err, "schedule reminders")
	}
	p.scheduler = job
	pager, err := cluster.Schedule(p.API, pagerKey, cluster.MakeWaitForInterval(pagerTick()), p.runPager)
	if err != nil {
		return errors.Wrap(err, "schedule the pager")
	}
	p.pager = pager
	return nil
}

// pagerKey names the pager's cluster job: escalations run on one node per tick.
const pagerKey = "devops_pager"

// pagerTick is how often pages due to escalate are checked: every 5s (a page is
// late by about this at most; make bench measures it), or the scheduler's tick when
// tests make it shorter. An idle tick costs one indexed query.
func pagerTick() time.Duration {
	return min(5*time.Second, schedulerTick())
}

func (p *Plugin) runPager() {
	defer app.Recover(p.API, "pager", nil)
	escalated, err := p.service.RunPager(context.Background(), time.Now())
	if err != nil {
		p.API.LogError("DevOps Channels pager failed", "err", err.Error())
	}
	if escalated > 0 {
		p.API.LogDebug("DevOps Channels escalated pages", "pages", escalated)
	}
}

func (p *Plugin) runScheduled() {
	defer app.Recover(p.API, "scheduled work", nil)
	reminded, archived, err := p.service.RunScheduled(context.Background(), time.Now())
	if err != nil {
		p.API.LogError("DevOps Channels scheduled work failed", "err", err.Error())
	}
	if reminded+archived > 0 {
		p.API.LogDebug("DevOps Channels scheduled work", "reminded", reminded, "archived", archived)
	}
}

// backgroundWait bounds how long OnDeactivate waits for work started after an answer
// (a sidebar being filed), so that it finishes before the database pool closes.
var backgroundWait = 10 * time.Second

// OnDeactivate stops the scheduler on this node (another node's picks it up) and lets
// background work finish, for at most backgroundWait.
func (p *Plugin) OnDeactivate() (err error) {
	defer app.Recover(p.API, "OnDeactivate", func() { err = errPanicked })
	if p.scheduler != nil {
		err = errors.Wrap(p.scheduler.Close(), "stop scheduler")
	}
	if p.pager != nil {
		if perr := p.pager.Close(); err == nil {
			err = errors.Wrap(perr, "stop pager")
		}
	}
	if p.background != nil && !p.background.Wait(backgroundWait) {
		p.API.LogWarn("DevOps Channels stopped with background work still running", "waited", backgroundWait.String())
	}
	if cerr := p.database.close(); err == nil {
		err = cerr
	}
	return err
}

// UserHasJoinedChannel briefs a newcomer to a workflow channel and files it in their sidebar.
func (p *Plugin) UserHasJoinedChannel(_ *plugin.Context, member *model.ChannelMember, actor *model.User) {
	defer app.Recover(p.API, "UserHasJoinedChannel", nil)
	addedBy := ""
	if actor != nil {
		addedBy = actor.Id
	}
	if err := p.service.Brief(context.Background(), member.ChannelId, member.UserId, addedBy); err != nil {
		p.API.LogError("DevOps Channels briefing failed", "channel_id", member.ChannelId, "err", err.Error())
	}
	if err := p.service.FileInSidebar(context.Background(), member.ChannelId, member.UserId); err != nil {
		p.API.LogError("DevOps Channels sidebar category failed", "channel_id", member.ChannelId, "err", err.Error())
	}
}

// UserHasLeftChannel tells the lead when a role holder leaves.
func (p *Plugin) UserHasLeftChannel(_ *plugin.Context, member *model.ChannelMember, _ *model.User) {
	defer app.Recover(p.API, "UserHasLeftChannel", nil)
	if err := p.service.MemberLeft(context.Background(), member.ChannelId, member.UserId); err != nil {
		p.API.LogError("DevOps Channels leave notice failed", "channel_id", member.ChannelId, "err", err.Error())
	}
}

// ReactionHasBeenAdded puts a post on its workflow's timeline (timeline emoji).
func (p *Plugin) ReactionHasBeenAdded(_ *plugin.Context, reaction *model.Reaction) {
	defer app.Recover(p.API, "ReactionHasBeenAdded", nil)
	if err := p.service.Pin(context.Background(), reaction.PostId, reaction.UserId, reaction.EmojiName); err != nil {
		p.API.LogError("DevOps Channels pin failed", "post_id", reaction.PostId, "err", err.Error())
	}
}

// MessageHasBeenPosted keeps a workflow in step with its channel: Mattermost writes a
// system post when a channel's privacy changes, or it is archived, restored or moved.
// Every other post is passed over without a read.
func (p *Plugin) MessageHasBeenPosted(_ *plugin.Context, post *model.Post) {
	if !post.IsSystemMessage() {
		return
	}
	defer app.Recover(p.API, "MessageHasBeenPosted", nil)
	if err := p.service.ChannelChanged(context.Background(), post); err != nil {
		p.API.LogError("DevOps Channels could not follow a channel change", "channel_id", post.ChannelId, "err", err.Error())
	}
}
