// Package starter holds the starter FAQ knowledge base that `hub serve` seeds into an empty database.
package starter

import _ "embed"

// JSON is the starter knowledge base in the import format (see README).
//
//go:embed starter.json
var JSON []byte
