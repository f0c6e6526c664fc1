package dev.gonode.runtime.context.internal;

import dev.gonode.runtime.context.ContextException;

/** Something a cancellable context cancels along with itself: a child context or an after-func. */
interface Canceller {

    /** Cancels with {@code err} and {@code cause}; does nothing the second time. */
    void cancel(ContextException err, Throwable cause);
}
