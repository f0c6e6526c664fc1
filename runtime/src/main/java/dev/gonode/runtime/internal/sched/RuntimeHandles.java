package dev.gonode.runtime.internal.sched;

import dev.gonode.runtime.RuntimeHandle;
import java.util.Objects;

/** From the API's {@link RuntimeHandle} to the runtime behind it. */
public final class RuntimeHandles {

    private RuntimeHandles() {
    }

    /**
     * The runtime {@code handle} stands for.
     *
     * @throws IllegalArgumentException when {@code handle} is not one of gonode's runtimes
     */
    public static GoRuntime of(RuntimeHandle handle) {
        Objects.requireNonNull(handle, "runtime");
        if (handle instanceof GoRuntime rt) {
            return rt;
        }
        throw new IllegalArgumentException("not a gonode runtime: " + handle.getClass().getName()
                + "; use RuntimeHandle.processWide() or RuntimeHandle.create(gomaxprocs)");
    }
}
