package dev.gonode.examples.workerpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import dev.gonode.runtime.leak.VerifyNoGoroutineLeaks;
import dev.gonode.testing.Await;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every test also checks that the pool's goroutines are gone once its results are consumed. */
@VerifyNoGoroutineLeaks
class WorkerPoolTest {

    @Test
    void everyJobIsProcessedExactlyOnceAndResultsCloseAfterTheLast() {
        int jobCount = 1_000;
        Channel<Integer> jobs = Channel.make(16);
        Map<Integer, AtomicInteger> timesProcessed = new ConcurrentHashMap<>();
        ReceiveChannel<Integer> results = WorkerPool.start(4, jobs, job -> {
            timesProcessed.computeIfAbsent(job, j -> new AtomicInteger()).incrementAndGet();
            return job * 2;
        });
        Go.go(() -> {
            for (int j = 1; j <= jobCount; j++) {
                jobs.send(j);
            }
            jobs.close();
        });

        List<Integer> doubled = new ArrayList<>();
        for (int r : results) {       // ends only when the pool closes `results`
            doubled.add(r);
        }

        doubled.sort(null);
        assertEquals(IntStream.rangeClosed(1, jobCount).map(j -> j * 2).boxed().toList(), doubled);
        assertEquals(jobCount, timesProcessed.size());
        timesProcessed.forEach((job, n) -> assertEquals(1, n.get(), "times job " + job + " was processed"));
    }

    @Test
    void noMoreJobsRunAtOnceThanThereAreWorkers() {
        int workers = 3;
        int jobCount = 10;
        Channel<Integer> jobs = Channel.make(jobCount);
        for (int j = 0; j < jobCount; j++) {
            jobs.send(j);
        }
        jobs.close();
        Channel<Object> gate = Channel.make();  // closed to let the workers finish
        AtomicInteger running = new AtomicInteger();
        ReceiveChannel<Integer> results = WorkerPool.start(workers, jobs, job -> {
            running.incrementAndGet();
            gate.receive();
            running.decrementAndGet();
            return job;
        });

        // Every worker holds a job and the rest are still queued: with a fourth worker (or a
        // goroutine per job) `running` would pass 3 and the queue would shrink below 7.
        Await.until("3 jobs running and 7 still queued", () -> running.get() == workers && jobs.len() == jobCount - workers);
        gate.close();

        int received = 0;
        for (Integer ignored : results) {
            received++;
        }
        assertEquals(jobCount, received);
    }

    @Test
    void aPoolWithoutWorkersIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> WorkerPool.start(0, Channel.<Integer>make(), j -> j));
    }
}
