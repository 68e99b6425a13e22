package main

import "github.com/tebingtinggi/hub/internal/testlog"

// syncBuffer collects output written from several goroutines.
type syncBuffer = testlog.Buffer
