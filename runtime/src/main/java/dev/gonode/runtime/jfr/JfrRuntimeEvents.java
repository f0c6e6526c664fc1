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
 * A park returns the begun {@link GoroutineBlockedEvent} as its token, so the threshold is JFR's
 * own (the event's duration is the wait), set per recording in {@code gonode.jfc}.
 */
final class JfrRuntimeEvents implements RuntimeEvents {

    @Override
    public Object parkBegin() {
        GoroutineBlockedEvent event = new GoroutineBlockedEvent();
        if (!event.isEnabled()) {
            return null;
        }
        event.begin();
        return event;
    }

    @Override
    public void parkEnd(Object token, G g, WaitReason reason, Object blocker) {
        GoroutineBlockedEvent event = (GoroutineBlockedEvent) token;
        event.end();
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
