package command

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// A channel of 500 people: every page of `who` fits in one post, even with the
// longest names Mattermost allows, and says where the next page is.
func TestWhoPagesStayUnderThePostSize(t *testing.T) {
	people := make([]app.Person, 500)
	for i := range people {
		people[i] = app.Person{
			Username:   fmt.Sprintf("%s%03d", strings.Repeat("u", 61), i),
			Discipline: app.Discipline("project-manager"), DisciplineSource: app.SourceMapped,
			Role: strings.Repeat("r", 32), LocalTime: "Wed 15:04", Timezone: "America/Argentina/ComodRivadavia",
		}
	}
	h := &Handler{}
	for page := 1; page <= 10; page++ {
		out := h.whoPage(people, page, "devops")
		require.LessOrEqual(t, utf8.RuneCountInString(out), app.MaxPostRunes, "page %d", page)
		require.Contains(t, out, fmt.Sprintf("People %d–%d of 500.", (page-1)*50+1, page*50))
		require.Contains(t, out, fmt.Sprintf("@%s%03d", strings.Repeat("u", 61), (page-1)*50))
		if page < 10 {
			require.Contains(t, out, fmt.Sprintf("`/devops who %d` for the next ones.", page+1))
		} else {
			require.NotContains(t, out, "for the next ones")
		}
	}
	require.Equal(t, "There is no page 11: 500 people are on this, 50 a page (`/devops who 10` is the last).", h.whoPage(people, 11, "devops"))

	// A small channel: one page, no paging line.
	one := h.whoPage(people[:3], 1, "devops")
	require.Equal(t, 3, strings.Count(one, "| @"))
	require.NotContains(t, one, "People ")
}
