package cputime

import (
	"testing"
	"time"
)

// Busy work shows as CPU time; sleeping barely does.
func TestUsedCountsWork(t *testing.T) {
	start := Used()
	if start <= 0 {
		t.Fatalf("Used() = %v, want the CPU time so far", start)
	}
	// Spin until 20 ms of CPU time show (on a loaded machine that may take
	// longer than 20 ms of wall time, but not seconds).
	x := uint64(1)
	for deadline := time.Now().Add(5 * time.Second); Since(start) < 20*time.Millisecond; {
		if time.Now().After(deadline) {
			t.Fatalf("5 s of busy work counted as %v of CPU (x=%d)", Since(start), x)
		}
		for i := 0; i < 10000; i++ {
			x = x*6364136223846793005 + 1
		}
	}
	start = Used()
	time.Sleep(50 * time.Millisecond)
	if idle := Since(start); idle > 40*time.Millisecond {
		t.Fatalf("50 ms of sleep counted as %v of CPU", idle)
	}
}
