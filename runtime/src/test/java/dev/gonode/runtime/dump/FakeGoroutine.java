package dev.gonode.runtime.dump;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A goroutine record with chosen values, for formatting tests that need exact waits and frames. */
record FakeGoroutine(long id, long parentId, String name, Map<String, String> labels, GoroutineState state,
                     WaitReason waitReason, Duration waitDuration, List<StackTraceElement> creationSite,
                     StackTraceElement[] stack) implements Goroutine {

    static StackTraceElement frame(String cls, String method, String file, int line) {
        return new StackTraceElement(cls, method, file, line);
    }

    static FakeGoroutine parked(long id, WaitReason reason, Duration waited, Map<String, String> labels) {
        return new FakeGoroutine(id, 1, null, labels, GoroutineState.WAITING, reason, waited,
                List.of(frame("com.example.Jobs", "start", "Jobs.java", 30)),
                new StackTraceElement[] {
                        frame("java.lang.VirtualThread", "park", "VirtualThread.java", 742),
                        frame("dev.gonode.runtime.internal.sched.Park", "park", "Park.java", 30),
                        frame("dev.gonode.runtime.chan.Channel", "receive", "Channel.java", 266),
                        frame("com.example.Echo", "serve", "Echo.java", 31),
                        frame("dev.gonode.runtime.internal.sched.GoRuntime$Body", "run", "GoRuntime.java", 170),
                        frame("java.lang.VirtualThread", "run", "VirtualThread.java", 466)});
    }

    @Override
    public StackTraceElement[] stackTrace() {
        if (stack == null) {
            throw new AssertionError("the stack of " + id + " was taken, though it was built to have none");
        }
        return stack.clone();
    }

    @Override
    public boolean isAlive() {
        return state != GoroutineState.DEAD;
    }

    @Override
    public void join() {
        throw new UnsupportedOperationException("a fake goroutine never runs");
    }

    @Override
    public boolean join(Duration timeout) {
        throw new UnsupportedOperationException("a fake goroutine never runs");
    }
}
