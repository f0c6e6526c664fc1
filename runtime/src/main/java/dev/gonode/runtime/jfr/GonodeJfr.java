package dev.gonode.runtime.jfr;

import dev.gonode.runtime.SchedStats;
import dev.gonode.runtime.RuntimeHandle;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeHandles;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Objects;
import jdk.jfr.Configuration;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;

/**
 * Connects a goroutine runtime to JDK Flight Recorder.
 *
 * <pre>{@code
 * try (GonodeJfr.Installation jfr = GonodeJfr.install(RuntimeHandle.processWide())) {
 *     ... // gonode.* events appear in any recording that enables them
 * }
 * }</pre>
 *
 * <p>Installing registers every gonode event type (so recordings can enable them by name), hooks
 * parks, handoffs and CPU hogs of the runtime, and registers the periodic
 * {@link SchedStatsEvent} and {@link ProcQueueEvent}. Nothing is recorded unless a recording
 * enables the events, for example with {@link #configuration()} ({@code gonode.jfc}).
 */
public final class GonodeJfr {

    /** The resource name of the settings file, next to this class. */
    public static final String JFC_RESOURCE = "gonode.jfc";

    private static final List<Class<? extends Event>> EVENT_TYPES = List.of(
            GoroutineBlockedEvent.class, CarrierHandoffEvent.class, GoroutineHogEvent.class, LeakFoundEvent.class,
            SchedStatsEvent.class, ProcQueueEvent.class, JobEvent.class, DrainEvent.class);

    private GonodeJfr() {
    }

    /** Every gonode event type. */
    public static List<Class<? extends Event>> eventTypes() {
        return EVENT_TYPES;
    }

    /** Hooks the process-wide runtime behind {@link dev.gonode.runtime.Go} up to JFR. */
    public static Installation install() {
        return install(GoRuntime.get());
    }

    /** Hooks {@code runtime} up to JFR until the returned installation is closed. */
    public static Installation install(RuntimeHandle handle) {
        GoRuntime runtime = RuntimeHandles.of(handle);
        for (Class<? extends Event> type : EVENT_TYPES) {
            FlightRecorder.register(type);
        }
        JfrRuntimeEvents events = new JfrRuntimeEvents();
        Runnable stats = () -> emitSchedStats(runtime.stats());
        Runnable queues = () -> emitProcQueues(runtime.stats());
        FlightRecorder.addPeriodicEvent(SchedStatsEvent.class, stats);
        FlightRecorder.addPeriodicEvent(ProcQueueEvent.class, queues);
        runtime.addEvents(events);
        return new Installation(runtime, events, stats, queues);
    }

    private static void emitSchedStats(SchedStats s) {
        SchedStatsEvent event = new SchedStatsEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.gomaxprocs = s.gomaxprocs();
        event.idleProcs = s.idleProcs();
        event.carriers = s.carriers();
        event.spinning = s.spinning();
        event.globalQueue = s.globalQueue();
        event.localQueues = s.localQueues().stream().mapToLong(Integer::longValue).sum();
        event.goroutines = s.goroutines();
        event.created = s.created();
        event.steals = s.steals();
        event.handoffs = s.handoffs();
        event.hogs = s.hogs();
        event.parks = s.parks();
        event.commit();
    }

    private static void emitProcQueues(SchedStats s) {
        List<Integer> lengths = s.localQueues();
        for (int p = 0; p < lengths.size(); p++) {
            ProcQueueEvent event = new ProcQueueEvent();
            if (!event.shouldCommit()) {
                return;
            }
            event.p = p;
            event.length = lengths.get(p);
            event.commit();
        }
    }

    /** The settings in {@code gonode.jfc}: every gonode event on, with its default minimum wait and periods. */
    public static Configuration configuration() {
        try (InputStream in = GonodeJfr.class.getResourceAsStream(JFC_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(JFC_RESOURCE + " is missing next to " + GonodeJfr.class.getName());
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return Configuration.create(reader);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + JFC_RESOURCE, e);
        } catch (ParseException e) {
            throw new IllegalStateException(JFC_RESOURCE + " is not a valid JFR configuration: " + e.getMessage(), e);
        }
    }

    /** A runtime's connection to JFR; closing it removes the hooks and periodic events. */
    public static final class Installation implements AutoCloseable {
        private final GoRuntime runtime;
        private final JfrRuntimeEvents events;
        private final Runnable stats;
        private final Runnable queues;

        private Installation(GoRuntime runtime, JfrRuntimeEvents events, Runnable stats, Runnable queues) {
            this.runtime = runtime;
            this.events = events;
            this.stats = stats;
            this.queues = queues;
        }

        @Override
        public void close() {
            runtime.removeEvents(events);
            FlightRecorder.removePeriodicEvent(stats);
            FlightRecorder.removePeriodicEvent(queues);
        }
    }
}
