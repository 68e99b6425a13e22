package slack

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// runSocket keeps a Socket Mode connection up until ctx ends: slack-go
// reconnects when Slack asks it to, and this loop starts it again, with
// backoff, when it gives up.
func (a *Adapter) runSocket(ctx context.Context) {
	client := socketmode.New(a.api, socketmode.OptionLog(discardLog{}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.receiveSocket(ctx, client)
	}()
	wait := time.Second
	for ctx.Err() == nil {
		err := client.RunContext(ctx)
		a.setLink(false, err)
		if ctx.Err() != nil {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		wait = min(2*wait, time.Minute)
	}
	<-done
}

// Link states, as setLink logs them.
const (
	linkUnknown int32 = iota
	linkUp
	linkDown
)

// setLink records whether the connection is up and logs each change,
// including a first connection that fails (an error from slack-go names
// no token).
func (a *Adapter) setLink(up bool, err error) {
	a.linkUp.Store(up)
	state := linkDown
	if up {
		state = linkUp
	}
	if a.linkState.Swap(state) == state {
		return
	}
	switch {
	case up:
		a.log.Info("slack: Socket Mode connected")
	case err != nil:
		a.log.Warn("slack: Socket Mode connection is down; reconnecting", "error", err)
	default:
		a.log.Warn("slack: Socket Mode connection is down; reconnecting")
	}
}

// receiveSocket records and acknowledges what arrives over Socket Mode.
func (a *Adapter) receiveSocket(ctx context.Context, client *socketmode.Client) {
	for {
		var evt socketmode.Event
		select {
		case <-ctx.Done():
			return
		case evt = <-client.Events:
		}
		switch evt.Type {
		case socketmode.EventTypeConnected, socketmode.EventTypeHello:
			a.setLink(true, nil)
		case socketmode.EventTypeConnecting:
			// slack-go reconnects by itself after a dropped connection:
			// a new attempt while the link was up means it went down.
			if a.linkUp.Load() {
				a.setLink(false, nil)
			}
		case socketmode.EventTypeDisconnect:
			a.setLink(false, nil)
		case socketmode.EventTypeConnectionError:
			var err error
			if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
				err = ce.ErrorObj
			}
			a.setLink(false, err)
		case socketmode.EventTypeInvalidAuth:
			a.setLink(false, errors.New("Slack refused the app token"))
		case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
			if evt.Request != nil {
				a.acceptSocket(ctx, client, evt.Type, evt.Request)
			}
		}
	}
}

func (a *Adapter) acceptSocket(ctx context.Context, client *socketmode.Client, typ socketmode.EventType, r *socketmode.Request) {
	var req request
	var err error
	switch typ {
	case socketmode.EventTypeEventsAPI:
		req, _, err = parseEvent(r.Payload)
	case socketmode.EventTypeInteractive:
		req, err = parseInteraction(r.Payload)
	default:
		var cmd slack.SlashCommand
		if err = json.Unmarshal(r.Payload, &cmd); err == nil {
			req, err = commandRequest(cmd)
		}
	}
	if err != nil {
		if !errors.Is(err, errIgnored) {
			a.log.Warn("slack: malformed Socket Mode request", "type", typ, "error", err)
		}
		client.Ack(*r) // a retry would be just as malformed
		return
	}
	rctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	if errs := a.viewErrors(rctx, req); errs != nil {
		// Not recorded: the modal stays open (see Adapter.accept).
		client.Ack(*r, slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	fresh, err := a.record(rctx, req)
	if err != nil {
		// Not acknowledged: Slack sends it again (retry_attempt).
		a.log.Error("slack: unable to record request", "kind", req.kind, "error", err)
		return
	}
	client.Ack(*r)
	if fresh {
		a.kick(req.id)
	}
}

// discardLog silences slack-go's own logger, which may print payloads.
type discardLog struct{}

func (discardLog) Output(int, string) error { return nil }
