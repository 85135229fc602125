package app

// ChangeKind is the word a workflow_changed websocket event carries: what changed, so
// each webapp view refetches only what it shows. It is a struct with an unexported
// field, not a string, so that nothing can publish a kind missing from ChangeKinds:
// that list is what webapp/src/changes.generated.ts is generated from (and checked
// against by TestWebappChangeKinds), and the webapp's compiler then refuses a view
// table that does not handle every kind.
type ChangeKind struct{ word string }

func (k ChangeKind) String() string { return k.word }

// The change kinds, one per kind of thing a view may show differently afterwards.
var (
	ChangeCreated  = ChangeKind{"created"}
	ChangeStage    = ChangeKind{"stage"}
	ChangeSeverity = ChangeKind{"severity"}
	ChangeStatus   = ChangeKind{"status"}
	ChangeTask     = ChangeKind{"task"}
	ChangeSignoff  = ChangeKind{"signoff"}
	ChangeRole     = ChangeKind{"role"}
	ChangeClosed   = ChangeKind{"closed"}
	ChangeReopened = ChangeKind{"reopened"}
	// ChangeTimeline is a timeline entry that changes nothing else (a pinned message).
	ChangeTimeline = ChangeKind{"timeline"}
	// ChangeChannel is the workflow's channel converted, archived, restored or moved.
	ChangeChannel = ChangeKind{"channel"}
	// CI/CD events, each under its webhook event's name.
	ChangeDeploy = ChangeKind{EventDeploy}
	ChangeBuild  = ChangeKind{EventBuild}
	ChangeTest   = ChangeKind{EventTest}
	// ChangeFields is a custom field set or cleared.
	ChangeFields = ChangeKind{"fields"}
)

// ChangeKinds lists every kind the server publishes, in the order the webapp declares them.
var ChangeKinds = []ChangeKind{
	ChangeCreated, ChangeStage, ChangeSeverity, ChangeStatus, ChangeTask, ChangeSignoff, ChangeRole,
	ChangeClosed, ChangeReopened, ChangeTimeline, ChangeChannel, ChangeDeploy, ChangeBuild, ChangeTest,
	ChangeFields,
}

// webhookChanges maps a CI/CD webhook event to the change it publishes.
var webhookChanges = map[string]ChangeKind{EventDeploy: ChangeDeploy, EventBuild: ChangeBuild, EventTest: ChangeTest}

// changeData is a workflow_changed event's payload: ids and a word, never the workflow.
func changeData(w *Workflow, kind ChangeKind) map[string]any {
	return map[string]any{"workflow_id": w.ID, "channel_id": w.ChannelID, "team_id": w.TeamID, "what": kind.word}
}
