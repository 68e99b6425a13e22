package storage

// MigrationLockKey lets the tests hold the migration lock themselves.
const MigrationLockKey = migrationLockKey
