package dev.gonode.runtime.pprof.internal;

import dev.gonode.runtime.context.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordingStream;

/**
 * Go's {@code allocs} and {@code heap} profiles ({@code alloc_objects/count},
 * {@code alloc_space/bytes}, {@code inuse_objects/count}, {@code inuse_space/bytes}) from what the
 * JVM offers.
 *
 * <p>Allocations ({@code alloc_*}) are JFR's {@code jdk.ObjectAllocationSample} events over a
 * window: each is an allocation site (the allocating stack) and the class allocated, with a
 * {@code weight}, the bytes that thread allocated since its previous sample; summing weights by
 * stack estimates the bytes each site allocated, which is what Go's sampled {@code alloc_space}
 * is. JFR does not record the object's size, so {@code alloc_objects} counts the samples, not the
 * objects. The sampled class is a label ({@code type=java.lang.String}), so
 * {@code -tagfocus=type=byte[]} narrows to one type. Samples are throttled to
 * {@value #SAMPLES_PER_SECOND} per second, JFR's {@code profile} setting.
 *
 * <p>Live heap ({@code inuse_*}) is the JVM's class histogram ({@code GC.class_histogram}, what
 * {@code jmap -histo:live} prints): the exact count and bytes of every class's live objects after a
 * full GC, one sample per class whose single frame is the class name. It is exact where a sampled
 * live heap would be an estimate, and available at once, where JFR's sampled live objects
 * ({@code jdk.OldObjectSample}) need a recording that ran since the objects were allocated; the
 * price is that it has no allocation stacks and costs a full GC (with {@code gc=false}, the
 * histogram counts unreachable objects too and needs no GC). Go's heap profile holds both kinds of
 * value in one profile, and so does this one: the class samples carry {@code inuse_*}, the
 * allocation samples (when a window was asked for) {@code alloc_*}.
 */
public final class AllocationProfiler {

    static final int SAMPLES_PER_SECOND = 300;
    static final int MAX_SAMPLES = 50_000;
    private static final List<ProfileBuilder.ValueType> TYPES = List.of(
            new ProfileBuilder.ValueType("alloc_objects", "count"), new ProfileBuilder.ValueType("alloc_space", "bytes"),
            new ProfileBuilder.ValueType("inuse_objects", "count"), new ProfileBuilder.ValueType("inuse_space", "bytes"));

    private AllocationProfiler() {
    }

    /** Go's {@code allocs}: allocation samples over {@code window}, shown as {@code alloc_space}. */
    public static void writeAllocs(Duration window, Context ctx, OutputStream out) throws IOException {
        ProfileBuilder profile = new ProfileBuilder(TYPES, new ProfileBuilder.ValueType("space", "bytes"), 0,
                "alloc_space", MAX_SAMPLES);
        collect(profile, window, ctx);
        profile.write(out);
    }

    /**
     * Go's {@code heap}: the live heap by class ({@code gc}: after a full GC, as {@code jmap -histo:live}),
     * plus allocation samples over {@code window} unless it is zero; shown as {@code inuse_space}.
     */
    public static void writeHeap(Duration window, boolean gc, Context ctx, OutputStream out) throws IOException {
        ProfileBuilder profile = new ProfileBuilder(TYPES, new ProfileBuilder.ValueType("space", "bytes"), 0,
                "inuse_space", MAX_SAMPLES + ClassHistogram.MAX_CLASSES);
        if (!window.isZero()) {
            collect(profile, window, ctx);
        }
        for (ClassHistogram.Entry e : ClassHistogram.take(gc)) {
            profile.add(List.of(new Frame(e.className(), "", 0)), Map.of(), 0, 0, e.instances(), e.bytes());
        }
        profile.write(out);
    }

    private static void collect(ProfileBuilder profile, Duration window, Context ctx) {
        RecordingStream stream = new RecordingStream();
        stream.enable("jdk.ObjectAllocationSample").with("throttle", SAMPLES_PER_SECOND + "/s");
        stream.onEvent("jdk.ObjectAllocationSample", e -> {
            RecordedClass cls = e.getClass("objectClass");
            Map<String, String> labels = cls == null ? Map.of() : Map.of("type", ClassHistogram.readable(cls.getName()));
            long weight = e.getLong("weight");
            profile.add(JfrCollection.frames(e.getStackTrace()), labels, 1, weight, 0, 0); // one stream thread
        });
        long start = System.currentTimeMillis();
        long took = JfrCollection.run(JfrCollection.Kind.ALLOCATIONS, stream, window, ctx);
        profile.window(start, took);
    }

    /** The diagnostic-command MBean behind {@code jcmd}, or an error saying this JVM lacks it. */
    static Object diagnosticCommand(String operation, String... args) {
        try {
            return ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                    new Object[] {args}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("this JVM cannot run the diagnostic command " + operation + ": " + e, e);
        }
    }
}
