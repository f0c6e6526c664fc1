package dev.gonode.runtime.internal.sched;

import java.util.Objects;
import java.util.stream.Stream;
import jdk.internal.vm.ThreadContainer;
import jdk.internal.vm.ThreadContainers;

/**
 * The JDK thread container that goroutines are started in.
 *
 * <p>Implementation notes. By default the JDK starts every virtual thread in its root container,
 * which (with {@code jdk.trackAllThreads=true}, the default) keeps a strong reference to each one,
 * so a parked goroutine could never be collected and proven leaked. Starting goroutines in this
 * container instead bypasses the root container; this container holds nothing strongly (its
 * thread list is the registry's weak view), and it is registered with the JDK so that
 * {@code jcmd <pid> Thread.dump_to_file} still lists live goroutines under "gonode". Loading this
 * class needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}; without it the runtime
 * starts goroutines normally and reports {@code weakContainer=false}.
 */
final class GoroutineContainer extends ThreadContainer {

    private final GoroutineRegistry registry;
    @SuppressWarnings({"unused", "FieldCanBeLocal"}) // keeps the JDK's registration key alive
    private final Object key;

    GoroutineContainer(GoroutineRegistry registry) {
        super(true);
        this.registry = registry;
        this.key = ThreadContainers.registerContainer(this);
    }

    @Override
    public String name() {
        return "gonode";
    }

    @Override
    public Stream<Thread> threads() {
        return registry.goroutines().map(G::get).filter(Objects::nonNull);
    }

    @Override
    public long threadCount() {
        return registry.count();
    }
}
