// Package app is DevOps Channels' service layer: workflows, templates, disciplines
// and the rules of who may do what. Slash commands, the REST API and hooks are thin
// doors onto it; it knows nothing of HTTP or command parsing.
package app

// Service is the one place where DevOps Channels' rules live.
type Service struct {
	store    Store
	mm       Platform
	settings func() *Settings
	// work is what the service does after answering (see Background).
	work *Background
	// incidentStarts holds a slot per incident the webhook is opening.
	incidentStarts chan struct{}
	// versions are the template versions read so far (see templateOf).
	versions templateVersions
}

// incidentStartsAtOnce bounds the incidents the CI/CD webhook opens at the same time.
const incidentStartsAtOnce = 4

// NewService builds the service. settings returns the configuration in force; it is
// called per operation so that a configuration change applies at once. work runs
// what the service does after answering; the plugin waits for it when it stops.
func NewService(st Store, mm Platform, settings func() *Settings, work *Background) *Service {
	return &Service{store: st, mm: mm, settings: settings, work: work, incidentStarts: make(chan struct{}, incidentStartsAtOnce)}
}

// Settings returns the settings in force.
func (s *Service) Settings() *Settings {
	return s.settings()
}
