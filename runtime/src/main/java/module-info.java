/**
 * gonode's Go-style runtime: goroutines on an M:N scheduler, channels and select, sync, context,
 * timers, and the diagnostics around them (dumps, profiles, leak detection, JFR events, metrics).
 *
 * <p>The packages without {@code internal} in their name are the API; the {@code internal} ones
 * are not exported. At run time the runtime needs {@code java.lang} opened and
 * {@code jdk.internal.vm} exported to it (the parent pom's {@code gonode.jvm.opens} and
 * {@code gonode.jvm.exports}): {@code =ALL-UNNAMED} on the class path, as the launchers and the
 * jars' manifests do, or {@code =dev.gonode.runtime} on the module path. Without them it falls
 * back to the JDK's default scheduler and says why.
 */
module dev.gonode.runtime {
    exports dev.gonode.runtime;
    exports dev.gonode.runtime.chan;
    exports dev.gonode.runtime.context;
    exports dev.gonode.runtime.dump;
    exports dev.gonode.runtime.jfr;
    exports dev.gonode.runtime.leak;
    exports dev.gonode.runtime.metrics;
    exports dev.gonode.runtime.pprof;
    exports dev.gonode.runtime.sync;
    exports dev.gonode.runtime.time;

    // the custom JFR events (jdk.jfr.Event subclasses) and their settings are part of the API
    requires transitive jdk.jfr;
    // MXBeans: garbage collections and thread CPU time for sysmon, heap histograms for pprof
    requires java.management;
    // the goroutine dump's JSON, written with Jackson's streaming generator
    requires com.fasterxml.jackson.core;
    // GonodeMetrics is a Micrometer MeterBinder; optional, so that the admin CLI runs without it
    // (a module that binds the metrics requires micrometer.core itself)
    requires static micrometer.core;
    // @VerifyNoGoroutineLeaks is a JUnit 5 extension; test code brings JUnit
    requires static org.junit.jupiter.api;
}
