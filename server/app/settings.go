package app

import "time"

// Settings are the validated System Console settings the service works with.
type Settings struct {
	CommandTrigger    string
	Templates         *Templates
	DisciplineMapping map[string]Discipline // username → discipline
	// Disciplines are the built-ins and the admin's additions; nil means the built-ins.
	Disciplines                 *DisciplineSet
	AllowSelfDeclaredDiscipline bool
	SelfDeclaredMaySignOff      bool                // a declared discipline opens gates too (else mapped or granted only)
	BroadcastChannels           map[string][]string // type → channel IDs
	ReminderCadence             map[string]time.Duration
	TimelineEmoji               string
	WorkStart, WorkEnd          int // minutes after local midnight
	ArchiveAfter                time.Duration
	WebhookSecret               string
	IncidentOnFailedDeploy      bool
	ProductionEnvironments      []string
	WebhookFallbackChannel      string
	// SidebarCategories files workflow channels into per-type sidebar categories.
	SidebarCategories bool
	// SidebarArchiveCategory receives closed workflows' channels; empty leaves them.
	SidebarArchiveCategory string
	// DatabasePoolSize is the plugin's own database connections per node; 0 uses
	// the server's connection. Read by the plugin door, not the service.
	DatabasePoolSize int
	// AlertToken is the bearer token of the alert intake; empty turns it off.
	AlertToken string
	// AlertSeverities maps a `severity` label value to an incident severity.
	AlertSeverities map[string]string
	// AlertStormLimit is how many incidents the intake opens per team per
	// AlertStormWindow before further groups join one storm incident; 0: no cap.
	AlertStormLimit int
	// EscalateFloor is the shortest escalate_after of a rotation (0: a minute); tests
	// that shorten the scheduler tick shorten it too.
	EscalateFloor time.Duration
}

// DisciplineSet is the disciplines in force: the built-ins and the admin's additions.
func (s *Settings) DisciplineSet() *DisciplineSet {
	if s == nil || s.Disciplines == nil {
		return builtinDisciplines
	}
	return s.Disciplines
}
