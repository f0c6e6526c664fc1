package dev.gonode.runtime.internal.sched;

import dev.gonode.runtime.GoDuration;
import java.time.Duration;
import java.util.Map;

/**
 * A runtime's settings. {@link #fromEnvironment()} reads, as Go does, the {@code GOMAXPROCS}
 * environment variable, then these system properties:
 *
 * <ul>
 *   <li>{@code gonode.gomaxprocs}: P count when {@code GOMAXPROCS} is unset (default: the
 *       container-aware processor count)</li>
 *   <li>{@code gonode.sched.handoff-after}: how long a carrier may stay blocked under one goroutine
 *       before sysmon hands its P to another carrier (Go duration, default {@code 10ms})</li>
 *   <li>{@code gonode.sched.sysmon-tick}: sysmon's period while any P is busy (default {@code 1ms})</li>
 *   <li>{@code gonode.sched.max-carriers}: carrier thread limit, a fatal error when exceeded
 *       (default 10000, as Go's thread limit)</li>
 *   <li>{@code gonode.sched}: {@code gonode} (default) or {@code jdk-default} to run goroutines on the
 *       JDK's default virtual-thread scheduler</li>
 *   <li>{@code gonode.panic}: {@code print} (default) or {@code exit} (halt with code 2, as Go)</li>
 *   <li>{@code gonode.creation-stacks}: {@code site} (default) or {@code full}</li>
 *   <li>{@code gonode.wait-sites}: what a goroutine remembers of where it parked, kept after a
 *       leaked goroutine's stack is gone: {@code off} (default), {@code site} (the first frame
 *       outside gonode's runtime, about a microsecond per park) or {@code full} (the whole stack,
 *       costly; {@code true} is accepted for it)</li>
 * </ul>
 *
 * An invalid value is reported once on stderr and replaced by the default, so that a typo in an
 * environment variable cannot stop a process from starting (Go ignores a bad GOMAXPROCS too).
 */
public record RuntimeConfig(int gomaxprocs, Duration handoffAfter, Duration sysmonTick, int maxCarriers,
                            boolean forceJdkScheduler, boolean exitOnPanic, boolean fullCreationStacks,
                            WaitSites waitSites) {

    /** What a goroutine records at each park, for leak reports ({@code gonode.wait-sites}). */
    public enum WaitSites {
        /** Nothing. */
        OFF,
        /** The first frame outside gonode's runtime: the user's blocking call. */
        SITE,
        /** The whole stack. */
        FULL
    }

    public RuntimeConfig {
        if (gomaxprocs < 1) {
            throw new IllegalArgumentException("GOMAXPROCS must be at least 1, got " + gomaxprocs);
        }
        if (handoffAfter.isNegative() || handoffAfter.isZero()) {
            throw new IllegalArgumentException("gonode.sched.handoff-after must be positive, got " + handoffAfter);
        }
        if (sysmonTick.isNegative() || sysmonTick.isZero()) {
            throw new IllegalArgumentException("gonode.sched.sysmon-tick must be positive, got " + sysmonTick);
        }
        if (maxCarriers < 1) {
            throw new IllegalArgumentException("gonode.sched.max-carriers must be at least 1, got " + maxCarriers);
        }
        java.util.Objects.requireNonNull(waitSites, "waitSites");
    }

    /** Defaults with {@code gomaxprocs} Ps. */
    public static RuntimeConfig withGomaxprocs(int gomaxprocs) {
        return new RuntimeConfig(gomaxprocs, Duration.ofMillis(10), Duration.ofMillis(1), 10_000,
                false, false, false, WaitSites.OFF);
    }

    public RuntimeConfig withHandoffAfter(Duration d) {
        return new RuntimeConfig(gomaxprocs, d, sysmonTick, maxCarriers, forceJdkScheduler, exitOnPanic,
                fullCreationStacks, waitSites);
    }

    public RuntimeConfig withFullCreationStacks(boolean full) {
        return new RuntimeConfig(gomaxprocs, handoffAfter, sysmonTick, maxCarriers, forceJdkScheduler, exitOnPanic,
                full, waitSites);
    }

    public RuntimeConfig withWaitSites(WaitSites sites) {
        return new RuntimeConfig(gomaxprocs, handoffAfter, sysmonTick, maxCarriers, forceJdkScheduler, exitOnPanic,
                fullCreationStacks, sites);
    }

    public RuntimeConfig withJdkScheduler(boolean force) {
        return new RuntimeConfig(gomaxprocs, handoffAfter, sysmonTick, maxCarriers, force, exitOnPanic,
                fullCreationStacks, waitSites);
    }

    /** The configuration from {@code GOMAXPROCS} and the {@code gonode.*} system properties. */
    public static RuntimeConfig fromEnvironment() {
        return from(System.getenv(), System.getProperties()::getProperty);
    }

    static RuntimeConfig from(Map<String, String> env, java.util.function.UnaryOperator<String> props) {
        int procs = Runtime.getRuntime().availableProcessors();
        String envProcs = env.get("GOMAXPROCS");
        String source = envProcs != null ? "GOMAXPROCS" : "gonode.gomaxprocs";
        String procsText = envProcs != null ? envProcs : props.apply("gonode.gomaxprocs");
        if (procsText != null && !procsText.isBlank()) {
            procs = positiveInt(source, procsText, procs);
        }
        Duration handoff = duration(props, "gonode.sched.handoff-after", Duration.ofMillis(10));
        Duration tick = duration(props, "gonode.sched.sysmon-tick", Duration.ofMillis(1));
        String max = props.apply("gonode.sched.max-carriers");
        int maxCarriers = max == null ? 10_000 : positiveInt("gonode.sched.max-carriers", max, 10_000);
        String sched = props.apply("gonode.sched");
        boolean jdk = false;
        if (sched != null && !sched.equals("gonode")) {
            if (sched.equals("jdk-default")) {
                jdk = true;
            } else {
                warn("gonode.sched", sched, "gonode or jdk-default");
            }
        }
        boolean exit = choice(props, "gonode.panic", "print", "exit");
        boolean full = choice(props, "gonode.creation-stacks", "site", "full");
        WaitSites waitSites = waitSites(props.apply("gonode.wait-sites"));
        return new RuntimeConfig(procs, handoff, tick, maxCarriers, jdk, exit, full, waitSites);
    }

    private static WaitSites waitSites(String text) {
        if (text == null) {
            return WaitSites.OFF;
        }
        switch (text) {
            case "off", "false":
                return WaitSites.OFF;
            case "site":
                return WaitSites.SITE;
            case "full", "true":
                return WaitSites.FULL;
            default:
                warn("gonode.wait-sites", text, "off, site or full");
                return WaitSites.OFF;
        }
    }

    private static int positiveInt(String key, String text, int fallback) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        warn(key, text, "a whole number of at least 1");
        return fallback;
    }

    private static Duration duration(java.util.function.UnaryOperator<String> props, String key, Duration fallback) {
        String text = props.apply(key);
        if (text == null) {
            return fallback;
        }
        try {
            Duration d = GoDuration.parse(text);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        warn(key, text, "a positive Go duration such as 10ms");
        return fallback;
    }

    private static boolean choice(java.util.function.UnaryOperator<String> props, String key, String off, String on) {
        String text = props.apply(key);
        if (text == null || text.equals(off)) {
            return false;
        }
        if (text.equals(on)) {
            return true;
        }
        warn(key, text, off + " or " + on);
        return false;
    }

    private static void warn(String key, String value, String allowed) {
        System.err.println("gonode: ignoring " + key + "=\"" + value + "\": expected " + allowed + "; using the default");
    }
}
