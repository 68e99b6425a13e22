package inbox

// Question is the citizen's question of the ticket: their first message
// about it, or the subject when the messages were purged.
func (d TicketDetail) Question() string {
	for _, m := range d.Messages {
		if m.AuthorKind == Citizen && m.Direction == In {
			return m.Text
		}
	}
	return d.Ticket.Subject
}
