// Go's own figures for the workloads of bench/src/main/java/dev/gonode/bench/chan: the reference
// gonode chases. Each benchmark iteration runs the whole workload, as one JMH invocation does
// (goroutine start-up included), and reports ns per message / round trip / job as "ns/msg".
// Not part of the Maven build or CI. Run: GOMAXPROCS=2 go test -bench . -benchtime 1s
package chanbench

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	roundTrips = 100_000
	messages   = 1_000_000
	capacity   = 1024
	sides      = 4
	jobs       = 1_000_000
	parked     = 1_000_000
)

// run times b.N runs of one whole workload of ops operations and reports ns per operation.
func run(b *testing.B, ops int, workload func()) {
	start := time.Now()
	for n := 0; n < b.N; n++ {
		workload()
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N)/float64(ops), "ns/msg")
}

// W1: two goroutines pass a value back and forth over two unbuffered channels; per round trip.
func BenchmarkPingPongUnbuffered(b *testing.B) {
	run(b, roundTrips, func() {
		ping, pong := make(chan int), make(chan int)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < roundTrips; i++ {
				ping <- i & 127
				<-pong
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < roundTrips; i++ {
				pong <- <-ping
			}
		}()
		wg.Wait()
	})
}

// W2: one producer, one consumer, buffer of 1024; per message.
func BenchmarkBufferedSPSC(b *testing.B) {
	run(b, messages, func() {
		ch := make(chan int, capacity)
		done := make(chan int64)
		go func() {
			for i := 0; i < messages; i++ {
				ch <- i & 127
			}
		}()
		go func() {
			var s int64
			for i := 0; i < messages; i++ {
				s += int64(<-ch)
			}
			done <- s
		}()
		<-done
	})
}

// W3: four producers, four consumers, one buffer of 1024; per message.
func BenchmarkBufferedMPMC4x4(b *testing.B) {
	run(b, messages, func() {
		ch := make(chan int, capacity)
		var wg sync.WaitGroup
		var sum int64
		each := messages / sides
		for p := 0; p < sides; p++ {
			go func() {
				for i := 0; i < each; i++ {
					ch <- i & 127
				}
			}()
		}
		wg.Add(sides)
		for c := 0; c < sides; c++ {
			go func() {
				defer wg.Done()
				var s int64
				for i := 0; i < each; i++ {
					s += int64(<-ch)
				}
				atomic.AddInt64(&sum, s)
			}()
		}
		wg.Wait()
	})
}

// W4: one consumer selecting over two channels (buffers of 1024), each fed by its own producer;
// per message received.
func BenchmarkSelectTwoFed(b *testing.B) {
	run(b, messages, func() {
		a, c := make(chan int, capacity), make(chan int, capacity)
		feed := func(ch chan int) {
			for i := 0; i < messages/2; i++ {
				ch <- i & 127
			}
		}
		go feed(a)
		go feed(c)
		done := make(chan int64)
		go func() {
			var s int64
			for i := 0; i < messages; i++ {
				select {
				case v := <-a:
					s += int64(v)
				case v := <-c:
					s += int64(v)
				}
			}
			done <- s
		}()
		<-done
	})
}

// W7: a producer feeds a million tiny jobs through a channel of 1024 to GOMAXPROCS workers, which
// stop when it is closed; per job.
func BenchmarkWorkerPool(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	run(b, jobs, func() {
		ch := make(chan int, capacity)
		var wg sync.WaitGroup
		var sum int64
		go func() {
			for i := 0; i < jobs; i++ {
				ch <- i & 127
			}
			close(ch)
		}()
		wg.Add(workers)
		for w := 0; w < workers; w++ {
			go func() {
				defer wg.Done()
				var s int64
				for job := range ch {
					s += int64(popcount(uint32(job) * 0x9E3779B9))
				}
				atomic.AddInt64(&sum, s)
			}()
		}
		wg.Wait()
	})
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// W6 and close-1M: a million goroutines parked receiving on one channel (bytes each, stacks and
// heap as the runtime reports them), then the time from close to all of them having finished,
// per receiver.
func BenchmarkParked1MThenClose(b *testing.B) {
	for n := 0; n < b.N; n++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ch := make(chan int)
		var started, finished sync.WaitGroup
		started.Add(parked)
		finished.Add(parked)
		for i := 0; i < parked; i++ {
			go func() {
				started.Done()
				<-ch
				finished.Done()
			}()
		}
		started.Wait()
		for runtime.NumGoroutine() < parked {
			runtime.Gosched()
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		bytes := float64((after.StackInuse+after.HeapInuse)-(before.StackInuse+before.HeapInuse)) / parked
		t0 := time.Now()
		close(ch)
		finished.Wait()
		b.ReportMetric(bytes, "B/goroutine")
		b.ReportMetric(float64(time.Since(t0).Nanoseconds())/parked, "ns/wake")
	}
}
