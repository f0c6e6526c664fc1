package dev.gonode.runtime.internal.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The global run queue is FIFO through every mix of single and batch puts and takes, while its
 * array grows past the initial capacity, wraps around and shrinks again (a mistake in the index
 * arithmetic would hand out a task twice, lose one, or reorder them).
 */
class GlobalQueueTest {

    @Test
    void staysFifoThroughGrowingWrappingAndShrinking() {
        GlobalQueue q = new GlobalQueue();
        ArrayDeque<Runnable> model = new ArrayDeque<>();
        Random random = new Random(18);
        Runnable[] batch = new Runnable[3000];
        Runnable[] into = new Runnable[5000];
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(4);
            if (op == 0) {
                Runnable t = () -> { };
                q.put(t);
                model.addLast(t);
            } else if (op == 1) {
                int n = random.nextInt(step < 10_000 ? 3000 : 300);
                for (int i = 0; i < n; i++) {
                    batch[i] = () -> { };
                    model.addLast(batch[i]);
                }
                q.putAll(batch, n);
            } else if (op == 2) {
                assertSame(model.pollFirst(), q.poll());
            } else {
                int max = 1 + random.nextInt(step < 10_000 ? 500 : 5000);
                int n = q.pollInto(into, max);
                assertEquals(Math.min(max, model.size()), n);
                for (int i = 0; i < n; i++) {
                    assertSame(model.pollFirst(), into[i]);
                }
            }
            assertEquals(model.size(), q.length());
        }
        while (!model.isEmpty()) {
            assertSame(model.pollFirst(), q.poll());
        }
        assertTrue(q.isEmpty());
        assertNull(q.poll());
        assertEquals(0, q.pollInto(into, 10));
    }
}
