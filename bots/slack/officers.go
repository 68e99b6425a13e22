package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Officers says who may act as an officer in Slack (HUB_SLACK_OFFICERS):
// listed user ids (U…, W…) and the members of at most one user group
// (S…), read from Slack and kept for groupTTL.
type Officers struct {
	a     *Adapter
	users map[string]bool
	group string

	mu      sync.Mutex
	members map[string]bool
	read    time.Time
}

// groupTTL is how long a user group's members are trusted before they are
// read again.
const groupTTL = 5 * time.Minute

// NewOfficers parses a comma-separated list of user ids and one user
// group id. Its errors are read by the operator at start, in Indonesian.
func (a *Adapter) NewOfficers(list string) (*Officers, error) {
	o := &Officers{a: a, users: map[string]bool{}}
	for _, id := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		switch {
		case strings.HasPrefix(id, "S"):
			if o.group != "" {
				return nil, fmt.Errorf("HUB_SLACK_OFFICERS menyebut dua grup pengguna (%s, %s); isi paling banyak satu grup (S…), selebihnya id pengguna (U… atau W…)", o.group, id)
			}
			o.group = id
		case strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W"):
			o.users[id] = true
		default:
			return nil, fmt.Errorf("HUB_SLACK_OFFICERS: %q bukan id pengguna Slack (U… atau W…) maupun id grup pengguna (S…); isi id-nya, bukan nama, misalnya U01ANI,S03PETUGAS", id)
		}
	}
	if len(o.users) == 0 && o.group == "" {
		return nil, errors.New("HUB_SLACK_OFFICERS tidak menyebut satu petugas pun; isi id pengguna Slack (U… atau W…) dan paling banyak satu grup pengguna (S…), misalnya U01ANI,S03PETUGAS")
	}
	return o, nil
}

// Allowed reports whether the Slack user is an officer.
func (o *Officers) Allowed(ctx context.Context, user string) (bool, error) {
	if o.users[user] {
		return true, nil
	}
	if o.group == "" {
		return false, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.members == nil || o.a.now().Sub(o.read) > groupTTL {
		ids, err := o.a.api.GetUserGroupMembersContext(ctx, o.group)
		if err != nil {
			return false, fmt.Errorf("slack: unable to read the officers' user group: %w", err)
		}
		o.members = map[string]bool{}
		for _, id := range ids {
			o.members[id] = true
		}
		o.read = o.a.now()
	}
	return o.members[user], nil
}

// admit reports whether user is an officer, telling one who is not with
// say. When the user group cannot be read (the app lacks the
// usergroups:read scope, which no retry gives it), the user is told that
// instead and it is logged: the request is done, not retried.
func (o *Officers) admit(ctx context.Context, user string, say func(string)) bool {
	ok, err := o.Allowed(ctx, user)
	switch {
	case err != nil:
		o.a.log.Error("slack: the officers' user group cannot be read; a user not listed by id was refused (check the app's usergroups:read scope)",
			"group", o.group, "error", err)
		say(textOfficersUnread)
		return false
	case !ok:
		say(textNotOfficer)
	}
	return ok
}
