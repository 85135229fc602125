package app

import (
	"context"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// MaxCategoryRunes is the longest sidebar category name Mattermost stores.
const MaxCategoryRunes = 64

// FileInSidebar puts a workflow channel that a user just joined into their sidebar
// category for its type ("Incidents", "Releases"), or the closed-workflows category
// when it is closed. Only a channel still in the default "Channels" category moves:
// one the user has already put somewhere (Favorites, a category of their own) stays.
func (s *Service) FileInSidebar(ctx context.Context, channelID, userID string) error {
	w, err := s.workflowOfChannel(ctx, channelID)
	if err != nil || w == nil {
		return err
	}
	return s.fileInSidebar(ctx, w, userID)
}

// fileStarterInSidebar files a new workflow's channel for its starter, who joined
// it before the workflow was recorded, when the join hook could not yet find it.
func (s *Service) fileStarterInSidebar(ctx context.Context, w *Workflow) {
	if err := s.fileInSidebar(ctx, w, w.CreatedBy); err != nil {
		s.mm.LogError("Could not file the channel in the starter's sidebar", "workflow_id", w.ID, "err", err.Error())
	}
}

func (s *Service) fileInSidebar(ctx context.Context, w *Workflow, userID string) error {
	settings := s.settings()
	if !settings.SidebarCategories || userID == s.mm.BotID() {
		return nil
	}
	category, ok := s.typeCategory(ctx, w)
	if !ok {
		return nil
	}
	if w.Status == StatusClosed && settings.SidebarArchiveCategory != "" {
		category = settings.SidebarArchiveCategory
	}
	if u, err := s.mm.GetUserCached(userID); err != nil || u.IsBot {
		return errors.Wrap(err, "get joiner")
	}
	return s.moveInSidebar(ctx, w, userID, inDefaultCategory, category)
}

// tidySidebars moves a workflow's channel for every member after it closed (from
// its type's category to the closed-workflows one) or reopened (back again). A
// member who moved the channel elsewhere keeps it there. Failures are logged: the
// close or reopen itself has happened.
func (s *Service) tidySidebars(ctx context.Context, w *Workflow) {
	settings := s.settings()
	typeCategory, ok := s.typeCategory(ctx, w)
	if !settings.SidebarCategories || settings.SidebarArchiveCategory == "" || !ok {
		return
	}
	from, to := typeCategory, settings.SidebarArchiveCategory
	if w.Status == StatusActive {
		from, to = to, from
	}
	members, err := s.mm.ChannelMemberIDs(w.ChannelID)
	if err != nil {
		s.mm.LogError("Could not list members to tidy their sidebars", "workflow_id", w.ID, "err", err.Error())
		return
	}
	for _, userID := range members {
		if userID == s.mm.BotID() {
			continue
		}
		if err := s.moveInSidebar(ctx, w, userID, inCustomCategory(from), to); err != nil {
			s.mm.LogError("Could not tidy a sidebar", "workflow_id", w.ID, "user_id", userID, "err", err.Error())
		}
	}
}

// typeCategory names the sidebar category of a workflow's type, from the template it
// runs on (a type disabled since it started keeps its category); false when that
// cannot be read.
func (s *Service) typeCategory(ctx context.Context, w *Workflow) (string, bool) {
	tmpl, err := s.templateOf(ctx, w)
	if err != nil {
		s.mm.LogError("Could not read a workflow's template for its sidebar category", "workflow_id", w.ID, "err", err.Error())
		return "", false
	}
	name := strings.TrimSpace(tmpl.Category)
	if name == "" {
		name = tmpl.Name
	}
	return truncateRunes(name, MaxCategoryRunes), true
}

// inDefaultCategory matches Mattermost's "Channels" category, where a joined channel lands.
func inDefaultCategory(c *model.SidebarCategoryWithChannels) bool {
	return c == nil || c.Type == model.SidebarCategoryChannels
}

func inCustomCategory(name string) func(*model.SidebarCategoryWithChannels) bool {
	return func(c *model.SidebarCategoryWithChannels) bool {
		return c != nil && isCustomCategory(c, name)
	}
}

func isCustomCategory(c *model.SidebarCategoryWithChannels, name string) bool {
	return c.Type == model.SidebarCategoryCustom && strings.EqualFold(strings.TrimSpace(c.DisplayName), name)
}

// moveInSidebar moves the workflow's channel for one user into the custom category
// named to (created when missing, the channel first), when the category it is in now
// satisfies from. A per-user cluster lock keeps two joins at once from creating two
// "Incidents" categories.
func (s *Service) moveInSidebar(ctx context.Context, w *Workflow, userID string, from func(*model.SidebarCategoryWithChannels) bool, to string) error {
	unlock, err := s.mm.Lock(ctx, "devops_sidebar_"+userID)
	if err != nil {
		return err
	}
	defer unlock()
	categories, err := s.mm.SidebarCategories(userID, w.TeamID)
	if err != nil {
		return err
	}
	var src, dst *model.SidebarCategoryWithChannels
	for _, c := range categories {
		if src == nil && slices.Contains(c.Channels, w.ChannelID) {
			src = c
		}
		if dst == nil && isCustomCategory(c, to) {
			dst = c
		}
	}
	if !from(src) || (src != nil && src == dst) {
		return nil
	}
	if dst == nil {
		// Creating a category with channels takes them out of their old categories.
		return s.mm.CreateSidebarCategory(userID, w.TeamID, &model.SidebarCategoryWithChannels{
			SidebarCategory: model.SidebarCategory{UserId: userID, TeamId: w.TeamID, DisplayName: to, Type: model.SidebarCategoryCustom},
			Channels:        []string{w.ChannelID},
		})
	}
	dst.Channels = append([]string{w.ChannelID}, dst.Channels...)
	update := []*model.SidebarCategoryWithChannels{dst}
	if src != nil {
		src.Channels = slices.DeleteFunc(src.Channels, func(id string) bool { return id == w.ChannelID })
		update = append(update, src)
	}
	return s.mm.UpdateSidebarCategories(userID, w.TeamID, update)
}
