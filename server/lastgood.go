package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/server/config"
)

const (
	// lastGoodKey holds the last configuration in force, in the plugin's KV store so
	// that every node, and the next start, falls back to the same values.
	lastGoodKey = "settings_last_good"
	// noticeKeyPrefix + field holds a hash of the bad value the admins were told
	// about: a compare-and-set on it lets one node of a cluster tell them, once.
	noticeKeyPrefix = "settings_bad_"
)

// cadenceFloor is the shortest reminder cadence: a minute, or two scheduler ticks when
// tests shorten the tick (a cadence shorter than two ticks reminds at every tick).
func cadenceFloor() time.Duration {
	if tick := schedulerTick(); tick < config.MinCadence/2 {
		return 2 * tick
	}
	return config.MinCadence
}

// lastGoodConfiguration is the last configuration put in force, nil on first start.
func (p *Plugin) lastGoodConfiguration() *config.Configuration {
	raw, appErr := p.API.KVGet(lastGoodKey)
	if appErr != nil {
		p.API.LogWarn("DevOps Channels could not read the last good configuration", "err", appErr.Error())
		return nil
	}
	if raw == nil {
		return nil
	}
	c := config.Defaults()
	if err := json.Unmarshal(raw, c); err != nil {
		p.API.LogWarn("DevOps Channels ignores an unreadable last good configuration", "err", err.Error())
		return nil
	}
	return c
}

// keepLastGood stores the configuration in force when it differs from the stored one.
func (p *Plugin) keepLastGood(c, previous *config.Configuration) {
	if previous != nil && len(config.Changed(c, previous)) == 0 {
		return
	}
	raw, err := json.Marshal(c)
	if err != nil {
		p.API.LogError("DevOps Channels could not encode the configuration", "err", err.Error())
		return
	}
	if appErr := p.API.KVSet(lastGoodKey, raw); appErr != nil {
		p.API.LogError("DevOps Channels could not keep the last good configuration", "err", appErr.Error())
	}
}

// tellAdmins sends the system admins a direct message about each newly ignored bad
// value, and about each that is fixed. Every node loads the configuration; the
// compare-and-set on the field's notice key lets exactly one of them send it.
func (p *Plugin) tellAdmins(fallbacks []config.Fallback) {
	bad := map[string]config.Fallback{}
	for _, f := range fallbacks {
		bad[f.Field] = f
	}
	for _, field := range config.Fields() {
		key := noticeKeyPrefix + field
		told, appErr := p.API.KVGet(key)
		if appErr != nil {
			p.API.LogWarn("DevOps Channels could not read a settings notice", "field", field, "err", appErr.Error())
			continue
		}
		f, isBad := bad[field]
		switch {
		case isBad:
			mark := noticeMark(f.Value)
			if bytes.Equal(told, mark) {
				continue // told already, by this node or another
			}
			if ok, _ := p.API.KVCompareAndSet(key, told, mark); ok {
				p.messageAdmins(badValueMessage(f))
			}
		case told != nil:
			if ok, _ := p.API.KVCompareAndDelete(key, told); ok {
				p.messageAdmins(fmt.Sprintf("The DevOps Channels setting **%s** is fixed: its saved value is in force again.",
					config.DisplayName(field)))
			}
		}
	}
}

// noticeMark is what the notice key holds for a bad value: its hash, as a value
// (template overrides, say) may be long.
func noticeMark(value string) []byte {
	sum := sha256.Sum256([]byte(value))
	return []byte(hex.EncodeToString(sum[:]))
}

func badValueMessage(f config.Fallback) string {
	instead := "its last good value"
	if f.UsedDefault {
		instead = "its default"
	}
	return fmt.Sprintf("The DevOps Channels setting **%s** has a bad value, which is ignored:\n\n%s\n\n%s.\n\n"+
		"DevOps Channels uses %s instead:\n\n%s\n\nEvery other setting is in force. Fix it in System Console → Plugins → DevOps Channels.",
		config.DisplayName(f.Field), quoteBlock(shown(f.Field, f.Value)), f.Reason, instead, quoteBlock(shown(f.Field, f.Used)))
}

// shown is a value as messages and logs may show it: never a secret.
func shown(field, value string) string {
	if (field == "WebhookSecret" || field == "AlertToken") && value != "" {
		return "(a secret of " + fmt.Sprint(len(value)) + " characters)"
	}
	return value
}

// quoteBlock shows a value as it is, even when empty or on several lines.
func quoteBlock(v string) string {
	if strings.TrimSpace(v) == "" {
		return "(empty)"
	}
	return "```\n" + strings.ReplaceAll(v, "```", "` ` `") + "\n```"
}

// messageAdmins sends a direct message from the bot to every active system admin.
func (p *Plugin) messageAdmins(message string) {
	admins, appErr := p.API.GetUsers(&model.UserGetOptions{Role: model.SystemAdminRoleId, Active: true, PerPage: 200})
	if appErr != nil {
		p.API.LogError("DevOps Channels could not list the system admins", "err", appErr.Error())
		return
	}
	for _, admin := range admins {
		if admin.IsBot {
			continue
		}
		dm, appErr := p.API.GetDirectChannel(p.botID, admin.Id)
		if appErr != nil {
			p.API.LogError("DevOps Channels could not message an admin", "user_id", admin.Id, "err", appErr.Error())
			continue
		}
		if _, appErr := p.API.CreatePost(&model.Post{UserId: p.botID, ChannelId: dm.Id, Message: message}); appErr != nil {
			p.API.LogError("DevOps Channels could not message an admin", "user_id", admin.Id, "err", appErr.Error())
		}
	}
}
