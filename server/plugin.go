package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/api"
	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/command"
	"github.com/devopschannels/devops-channels/server/store"
)

const (
	botUsername     = "devops"
	migrationsMutex = "devops_migrations"
)

// Plugin wires Mattermost's hooks to the service. Hooks stay thin: each one
// translates the event and hands it to app.Service.
type Plugin struct {
	plugin.MattermostPlugin

	client *pluginapi.Client

	// configurationLock guards configuration and settings, the last good configuration.
	configurationLock sync.RWMutex
	configuration     *configuration
	registeredTrigger string

	botID   string
	store   *store.Store
	service *app.Service
	// background runs the service's work after an answer; OnDeactivate waits for it.
	background *app.Background
	commands   *command.Handler
	router     http.Handler
	scheduler  *cluster.Job
	pager      *cluster.Job
	database   *database
}

// OnActivate prepares everything the plugin needs. It is idempotent: the server calls
// it on every node of a cluster and after every restart or re-enable.
func (p *Plugin) OnActivate() (err error) {
	defer app.Recover(p.API, "OnActivate", func() { err = errPanicked })
	p.client = pluginapi.NewClient(p.API, p.Driver)
	if err := startProfile(); err != nil {
		p.client.Log.Warn("DevOps Channels could not start the CPU profile", "err", err.Error())
	}

	botID, err := p.client.Bot.EnsureBot(&model.Bot{
		Username:    botUsername,
		DisplayName: "DevOps Channels",
		Description: "Runs DevOps workflow channels: stages, gates, checklists, status updates and timelines.",
	}, pluginapi.ProfileImagePath("assets/profile.png"))
	if err != nil {
		return errors.Wrap(err, "ensure bot")
	}
	p.botID = botID

	// The database opens first (its pool size alone is read now): the configuration is
	// then judged with it, where mapped names stay bound to people who renamed.
	db, err := p.openDatabase(storedPoolSize(p.API.GetPluginConfig()))
	if err != nil {
		return err
	}
	p.database = db
	st := store.New(db.db)
	if err := p.migrate(st); err != nil {
		return err
	}
	p.store = st
	p.loadConfiguration()
	if err := p.pinWorkflows(st); err != nil {
		return err
	}

	mm := newPlatform(p.client, p.API, botID)
	p.background = app.NewBackground(p.API)
	p.service = app.NewService(st, mm, p.settings, p.background)
	p.commands = command.New(p.service, p.settings, mm)
	p.router = api.NewRouter(p.service, mm, settingsChecker{p})
	p.bindDisciplineMapping()

	if err := p.registerCommand(); err != nil {
		return err
	}
	// A node that stopped while adding the people a start invited left them recorded:
	// add them now rather than at the scheduler's next tick.
	p.background.Go("add the people a stopped start invited", func() error {
		return p.service.AddLeftoverInvites(context.Background(), time.Now())
	})
	return p.startScheduler()
}

// migrate runs the schema migrations under a cluster mutex so that nodes starting
// together do not race; the store's own advisory lock backs this up.
func (p *Plugin) migrate(st *store.Store) error {
	mutex, err := cluster.NewMutex(p.API, migrationsMutex)
	if err != nil {
		return errors.Wrap(err, "create migrations mutex")
	}
	mutex.Lock()
	defer mutex.Unlock()
	applied, err := st.Migrate(context.Background())
	if err != nil {
		return errors.Wrap(err, "migrate schema")
	}
	if len(applied) > 0 {
		p.client.Log.Info("DevOps Channels schema migrated", "applied", applied)
	}
	return nil
}

// pinWorkflows gives workflows made before template versions the template in force
// now, from here on whatever later overrides say. The current template lives in the
// settings, not in SQL, so this follows the migrations rather than being one, and
// runs once the configuration is loaded (judged against the database). It only
// touches workflows without a version, so nodes running it together agree.
func (p *Plugin) pinWorkflows(st *store.Store) error {
	pinned, err := app.PinUnversionedWorkflows(context.Background(), st, p.settings().Templates)
	if err != nil {
		return errors.Wrap(err, "pin workflows to their templates")
	}
	if pinned > 0 {
		p.client.Log.Info("DevOps Channels pinned running workflows to their templates", "workflows", pinned)
	}
	return nil
}

// registerCommand (re)registers the slash command under the configured trigger.
func (p *Plugin) registerCommand() error {
	s := p.settings()
	if p.registeredTrigger != "" && p.registeredTrigger != s.CommandTrigger {
		if err := p.API.UnregisterCommand("", p.registeredTrigger); err != nil {
			p.client.Log.Warn("Could not unregister the old command trigger", "trigger", p.registeredTrigger, "err", err.Error())
		}
	}
	if err := p.client.SlashCommand.Register(p.commands.Command(s.CommandTrigger)); err != nil {
		return errors.Wrapf(err, "register /%s", s.CommandTrigger)
	}
	p.configurationLock.Lock()
	p.registeredTrigger = s.CommandTrigger
	p.configurationLock.Unlock()
	return nil
}

// ExecuteCommand hands a slash command to the command door.
//
//nolint:unparam // the hook's signature is fixed; refusals are ephemeral answers, not AppErrors.
func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	return p.commands.Execute(args), nil // Execute recovers its panics
}

// ServeHTTP hands a request to the REST door.
func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	p.router.ServeHTTP(w, r) // the router recovers its panics
}

// errPanicked is what a hook that returns an error answers after a panic; the log
// has the panic and its stack.
var errPanicked = errors.New("DevOps Channels failed unexpectedly; the server log has the details")
