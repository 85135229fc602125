package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The first post names up to 50 of the people being added and counts the rest, so a
// start that invites hundreds stays far inside a post; a limit's left-out people are
// counted, the first named, with how to add them.
func TestInvitedLines(t *testing.T) {
	w := &Workflow{ChannelName: "inc-7-checkout"}
	var inv Invitation
	for i := range 120 {
		inv.Invited = append(inv.Invited, Invitee{UserID: fmt.Sprint(i), Username: fmt.Sprintf("ops%03d", i), Discipline: Operations})
	}
	inv.LeftOut = []LeftOut{{Discipline: Operations, Limit: 25, Count: 95, Usernames: []string{"ops120", "ops121"}}}
	lines := invitedLines(w, inv)
	require.Contains(t, lines, "**Adding 120 people:** @ops000, @ops001")
	require.Contains(t, lines, "@ops049 and 70 more\n")
	require.NotContains(t, lines, "@ops050")
	require.Contains(t, lines, "**Not invited:** 95 people of operations (the template invites the first 25, "+InviteOrder+
		"): @ops120, @ops121 and 93 more. Add someone with `/invite @name ~inc-7-checkout`.")
	require.Less(t, len(lines), 2000)

	require.Empty(t, invitedLines(w, Invitation{}), "a start that invites nobody says nothing of it")
	one := invitedLines(w, Invitation{Invited: inv.Invited[:1]})
	require.Equal(t, "**Adding 1 person:** @ops000\n", one)
	require.False(t, strings.Contains(one, "Not invited"))
}
