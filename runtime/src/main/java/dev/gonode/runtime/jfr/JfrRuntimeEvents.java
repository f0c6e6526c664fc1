package dev.gonode.runtime.jfr;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.RuntimeEvents;

/**
 * Turns scheduler events into JFR events.
 *
 * <p>Implementation notes. Each hook allocates its event and asks {@code isEnabled()} (or
 * {@code shouldCommit()}) before doing anything else. With no recording, or with the event
 * disabled, that is all it does; the JIT removes the allocation because the event does not escape.
 * A park whose {@link GoroutineBlockedEvent} is enabled returns a shared token; on wake-up the wait
 * (from the start the runtime noted anyway) is compared with {@link MinimumWaitSetting}, and an
 * event is built only for waits that cross it. So a recording with the event on costs a clock read
 * per park, not an event object and two JFR timestamps.
 */
final class JfrRuntimeEvents implements RuntimeEvents {

    private static final Object ENABLED = new Object();

    @Override
    public Object parkBegin() {
        return new GoroutineBlockedEvent().isEnabled() ? ENABLED : null;
    }

    @Override
    public void parkEnd(Object token, G g, WaitReason reason, Object blocker) {
        long waited = System.nanoTime() - g.waitSinceNanos();
        if (waited < MinimumWaitSetting.nanos) {
            return;
        }
        GoroutineBlockedEvent event = new GoroutineBlockedEvent();
        event.waited = waited;
        if (event.shouldCommit()) {
            event.goroutineId = g.id();
            event.goroutineName = g.name();
            event.reason = reason.goName();
            if (blocker != null) {
                event.blockerClass = blocker.getClass();
                if (blocker instanceof Channel<?> ch) {
                    event.channel = ch.toString();
                }
            }
            event.commit();
        }
    }

    @Override
    public void handoff(int p, G g, long heldNanos) {
        CarrierHandoffEvent event = new CarrierHandoffEvent();
        if (event.shouldCommit()) {
            event.p = p;
            event.goroutineId = g == null ? 0 : g.id();
            event.held = heldNanos;
            event.commit();
        }
    }

    @Override
    public void hog(int p, G g, long runningNanos) {
        GoroutineHogEvent event = new GoroutineHogEvent();
        if (event.shouldCommit()) {
            event.p = p;
            event.goroutineId = g == null ? 0 : g.id();
            event.running = runningNanos;
            event.commit();
        }
    }
}
