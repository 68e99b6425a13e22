package inbox

import (
	"context"
	"fmt"
	"strings"
)

// AddRatingComment records the citizen's optional comment on a ticket they
// rated already (the rating comes first, as a button press; the comment,
// if any, follows as a message). It keeps the first comment: it changes
// nothing when the ticket is not rated or already has one, and reports
// whether it saved the comment.
func (s *Store) AddRatingComment(ctx context.Context, ticketID int64, comment string) (bool, error) {
	comment = truncate(strings.TrimSpace(comment), CommentLen)
	if comment == "" {
		return false, nil
	}
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET rating_comment = ?
		WHERE id = ? AND rating IS NOT NULL AND rating_comment = ''`), comment, ticketID)
	if err != nil {
		return false, fmt.Errorf("inbox: unable to save rating comment: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("inbox: unable to save rating comment: %w", err)
	}
	return n > 0, nil
}
