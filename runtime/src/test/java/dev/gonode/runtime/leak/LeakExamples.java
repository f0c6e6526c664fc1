package dev.gonode.runtime.leak;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import java.time.Duration;
import java.util.List;

/**
 * The goroutine leaks of the seed document ("Goroutine Leak"), ported to gonode. A channel that is
 * closed when the client goes away plays the request's {@code ctx.Done()}. Each example's leaking
 * goroutine blocks in a named method ({@link #waitMethod}), so tests can check wait sites and the
 * top-function ignore rule.
 */
enum LeakExamples {

    /**
     * A handler starts a lookup in a goroutine that ignores the request's context. The client
     * disconnects, the handler returns, the database answers later: the worker's send of the result
     * blocks forever.
     */
    HANDLER_IGNORING_CONTEXT(WaitReason.CHAN_SEND, 1, "sendResult") {
        @Override
        Object start(GoRuntime rt) {
            Channel<Void> requestContext = Channel.make();
            Channel<String> database = Channel.make(1);
            Channel<String> result = Channel.make();
            G handler = rt.go("handler", () -> handle(requestContext, database, result), this);
            requestContext.close(); // the client disconnected
            try {
                if (!handler.join(Duration.ofSeconds(20))) {
                    throw new AssertionError("the handler did not return after its request context was done");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            database.send("row"); // the slow lookup completes after the handler gave up
            return List.of(requestContext, database, result);
        }
    },
    /**
     * {@code for { select { case <-ch: } }} with no cancel path: blocks once the sender stops. Go
     * compiles a one-case select to the plain receive, and so does gonode: the wait reason is
     * {@code chan receive}.
     */
    SELECT_LOOP_WITHOUT_EXIT(WaitReason.CHAN_RECEIVE, 1, "selectForever") {
        @Override
        Object start(GoRuntime rt) {
            Channel<Integer> ch = Channel.make();
            rt.go(null, () -> selectForever(ch), this);
            ch.send(1);
            ch.send(2);
            return ch;
        }
    },
    /** A receive on a channel nobody will ever send to. */
    BLOCKED_ON_CHANNEL_NOBODY_SENDS_TO(WaitReason.CHAN_RECEIVE, 1, "receiveForever") {
        @Override
        Object start(GoRuntime rt) {
            Channel<String> ch = Channel.make();
            rt.go(null, () -> receiveForever(ch), this);
            return ch;
        }
    },
    /** Two goroutines each wait to receive from the other before sending: a deadlock. */
    MUTUAL_CHANNEL_DEADLOCK(WaitReason.CHAN_RECEIVE, 2, "receiveThenSend") {
        @Override
        Object start(GoRuntime rt) {
            Channel<Integer> a = Channel.make();
            Channel<Integer> b = Channel.make();
            rt.go(null, () -> receiveThenSend(a, b), this);
            rt.go(null, () -> receiveThenSend(b, a), this);
            return List.of(a, b);
        }
    };

    final WaitReason reason;
    final int goroutines;
    final String waitMethod;

    LeakExamples(WaitReason reason, int goroutines, String waitMethod) {
        this.reason = reason;
        this.goroutines = goroutines;
        this.waitMethod = waitMethod;
    }

    /**
     * Starts the example on {@code rt}; returns what keeps its leaked goroutines reachable (hold it
     * to keep them alive, drop it to let the garbage collector prove the leak).
     */
    abstract Object start(GoRuntime rt);

    /** {@code pkg.Class.method} of the method the leaked goroutines block in. */
    String waitFunction() {
        return LeakExamples.class.getName() + "." + waitMethod;
    }

    static void handle(Channel<Void> requestContext, Channel<String> database, Channel<String> result) {
        Go.go(() -> sendResult(database, result)); // BUG: ignores requestContext
        Select.select(Select.receive(result), Select.receive(requestContext));
    }

    static void sendResult(Channel<String> database, Channel<String> result) {
        String row = database.receive();
        result.send(row);
    }

    static void selectForever(Channel<Integer> ch) {
        for (;;) {
            Select.select(Select.receive(ch, v -> { }));
        }
    }

    static void receiveForever(Channel<String> ch) {
        ch.receive();
    }

    static void receiveThenSend(Channel<Integer> in, Channel<Integer> out) {
        out.send(in.receive());
    }
}
