package dev.gonode.runtime.sync;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Go's {@code sync.Once}: performs an action exactly once, plus Go 1.21's {@code sync.OnceFunc}
 * and {@code sync.OnceValue} as {@link #onceFunc(Runnable)} and {@link #onceValue(Supplier)}.
 *
 * <pre>{@code
 * private final Once once = new Once();
 * Config config() {
 *     once.doOnce(() -> config = load());   // Go's once.Do(load); `do` is a Java keyword
 *     return config;
 * }
 *
 * private static final Supplier<Config> CONFIG = Once.onceValue(Config::load);
 * }</pre>
 *
 * <p><b>{@link #doOnce(Runnable)}</b> calls {@code f} only on the first call for this Once, even
 * if later calls pass a different function. No call returns before that first {@code f} has
 * returned, and everything {@code f} did happens before every {@code doOnce} returns: callers
 * that arrive while {@code f} runs wait for it (shown as {@code [sync.Mutex.Lock]}, as in Go).
 * If {@code f} throws, {@code doOnce} considers it done, as Go does for a panic: the exception
 * reaches the caller that ran {@code f}, and other and later calls return without calling it.
 * Use {@link #onceFunc(Runnable)} when every caller should see the failure.
 *
 * <p>Calling {@code doOnce} on the same Once from inside {@code f} would deadlock in Go; here it
 * throws {@link IllegalStateException} instead.
 */
public final class Once {

    /*
     * Implementation notes.
     *
     * Go's sync.Once (src/sync/once.go): a volatile done flag for the fast path and a Mutex for
     * the slow path. done is set only after f returns (in a finally), never before: setting it
     * first (a CAS "claim") would let a second caller return before f has finished. The Mutex
     * makes latecomers wait for f, and its unlock/lock pair orders f's writes before their
     * return; the fast path gets the same ordering from the volatile write and read of done.
     *
     * runner (the thread running f) is written and cleared under the mutex; the recursion check
     * reads it without the mutex, which is enough: a thread always sees its own writes, and a
     * stale value can only be some other thread, never the caller.
     */

    private volatile boolean done;
    private Thread runner;
    private final Mutex m = new Mutex();

    /** Creates a Once whose action has not run yet. */
    public Once() {
    }

    /**
     * Runs {@code f} if and only if this is the first call of {@code doOnce} on this Once (Go's
     * {@code Do}). See the class comment for ordering and exceptions.
     *
     * @throws IllegalStateException if called from within {@code f} on the same Once
     */
    public void doOnce(Runnable f) {
        if (!done) {
            doSlow(f);
        }
    }

    private void doSlow(Runnable f) {
        if (runner == Thread.currentThread()) {
            throw new IllegalStateException("sync: Once.doOnce called from inside its own function"
                    + " (in Go this deadlocks); do not call doOnce recursively on the same Once");
        }
        m.lock();
        try {
            if (!done) {
                runner = Thread.currentThread();
                try {
                    f.run();
                } finally {
                    runner = null;
                    done = true;
                }
            }
        } finally {
            m.unlock();
        }
    }

    /** Whether the action has run (a racy snapshot; {@code true} stays true). */
    public boolean isDone() {
        return done;
    }

    /**
     * Returns a function that runs {@code f} only the first time it is called, however many
     * goroutines call it (Go's {@code sync.OnceFunc}). If {@code f} throws, the returned function
     * throws the same exception on every call, to every caller.
     */
    public static Runnable onceFunc(Runnable f) {
        Objects.requireNonNull(f, "f");
        OnceValue<Void> value = new OnceValue<>(() -> {
            f.run();
            return null;
        });
        return value::get;
    }

    /**
     * Returns a function that calls {@code f} only the first time it is called and returns its
     * result on every call (Go's {@code sync.OnceValue}). If {@code f} throws, the returned
     * function throws the same exception on every call, to every caller.
     */
    public static <T> Supplier<T> onceValue(Supplier<? extends T> f) {
        Objects.requireNonNull(f, "f");
        return new OnceValue<>(f);
    }

    private static final class OnceValue<T> implements Supplier<T> {
        private final Once once = new Once();
        private Supplier<? extends T> f; // dropped once called, so it is not kept alive
        private T value;                 // written before once's done, read after it
        private Throwable failure;

        OnceValue(Supplier<? extends T> f) {
            this.f = f;
        }

        @Override
        public T get() {
            once.doOnce(this::call);
            if (failure != null) {
                throw OnceValue.<RuntimeException>sneaky(failure);
            }
            return value;
        }

        private void call() {
            Supplier<? extends T> fn = f;
            f = null;
            try {
                value = fn.get();
            } catch (Throwable t) {
                failure = t;
            }
        }

        @SuppressWarnings("unchecked")
        private static <E extends Throwable> E sneaky(Throwable t) throws E {
            throw (E) t;
        }

        @Override
        public String toString() {
            return "OnceValue[" + (!once.isDone() ? "not yet called" : failure != null ? "failed: " + failure : "done")
                    + "]";
        }
    }

    @Override
    public String toString() {
        return "Once[" + (done ? "done" : "not done") + "]";
    }
}
