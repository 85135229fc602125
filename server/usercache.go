package main

import (
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// userCacheTTL bounds how stale a cached user may be. Users are read on nearly every
// command (names in posts, disciplines by username, time zones) and each read is a
// round trip to the server; a short cache removes most of them. It is per node and
// only ever a cache: nothing needs it to agree across a cluster.
const userCacheTTL = 30 * time.Second

// userCacheMax bounds memory: past it the cache is emptied rather than tracked per entry.
const userCacheMax = 5000

type cachedUser struct {
	user    *model.User
	expires time.Time
}

type userCache struct {
	mu    sync.Mutex
	users map[string]cachedUser
}

func newUserCache() *userCache {
	return &userCache{users: map[string]cachedUser{}}
}

func (c *userCache) get(id string) (*model.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.users[id]
	if !ok || time.Now().After(e.expires) {
		return nil, false
	}
	return e.user, true
}

func (c *userCache) put(u *model.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.users) >= userCacheMax {
		c.users = map[string]cachedUser{}
	}
	c.users[u.Id] = cachedUser{user: u, expires: time.Now().Add(userCacheTTL)}
}
