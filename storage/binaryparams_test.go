package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// With lib/pq's binary_parameters=yes, []byte arguments go in binary
// format; the times the statement cache writes must still be read as text.
func TestTimesWithBinaryParameters(t *testing.T) {
	url := storagetest.PostgresURL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, url+sep+"binary_parameters=yes")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tm := range []time.Time{
		time.Date(2026, 11, 27, 9, 5, 3, 123456000, time.UTC),
		time.Date(2026, 11, 27, 16, 5, 3, 123456000, time.FixedZone("WIB", 7*3600)),
	} {
		var got time.Time
		if err := db.QueryRowContext(ctx, `SELECT CAST($1 AS timestamptz)`, tm).Scan(&got); err != nil || !got.Equal(tm) {
			t.Errorf("%s with binary_parameters=yes: %s, %v", tm, got, err)
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Errorf("Migrate with binary_parameters=yes: %v", err)
	}
}
