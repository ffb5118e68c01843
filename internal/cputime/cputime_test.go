package cputime

import (
	"testing"
	"time"
)

// Busy work shows as CPU time; sleeping does not.
func TestUsedCountsWork(t *testing.T) {
	start := Used()
	if start <= 0 {
		t.Fatalf("Used() = %v, want the CPU time so far", start)
	}
	x := uint64(1)
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
		for i := 0; i < 1000; i++ {
			x = x*6364136223846793005 + 1
		}
	}
	busy := Since(start)
	if busy < 20*time.Millisecond {
		t.Fatalf("50 ms of busy work counted as %v (x=%d)", busy, x)
	}
	start = Used()
	time.Sleep(50 * time.Millisecond)
	if idle := Since(start); idle > 40*time.Millisecond {
		t.Fatalf("50 ms of sleep counted as %v of CPU", idle)
	}
}
