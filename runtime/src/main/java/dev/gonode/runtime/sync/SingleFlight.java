package dev.gonode.runtime.sync;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Duplicate call suppression: {@code golang.org/x/sync/singleflight}'s {@code Group}. While a
 * call for a key is in flight, further calls for the same key wait for it and share its result
 * instead of running their own.
 *
 * <pre>{@code
 * SingleFlight<String, User> users = new SingleFlight<>();
 * SingleFlight.Result<User> r = users.doCall(id, () -> db.loadUser(id));   // Go's g.Do(key, fn)
 * if (r.err() != null) { ... }              // a checked exception from fn: Go's err
 * User u = r.value();
 * boolean shared = r.shared();              // whether other callers got this same result
 * }</pre>
 *
 * <p><b>Results and failures.</b> A value, or a checked {@link Exception} thrown by {@code fn}
 * (Go's returned {@code error}), comes back in the {@link Result} to the caller that ran
 * {@code fn} and to every caller that waited for it. An unchecked exception or error thrown by
 * {@code fn} (Go's panic) is thrown to all of them, as singleflight re-panics in every waiter.
 *
 * <p>Only calls that overlap are merged: once a call completes, the next {@code doCall} for the
 * key runs {@code fn} again. {@link #forget(Object)} makes the next call run {@code fn} even while
 * the current one is still in flight. Waiting callers show {@code [sync.WaitGroup.Wait]} in
 * goroutine dumps, as in Go; waiting cannot be interrupted.
 *
 * <p>Not here yet: {@code DoChan} (the result as a channel), which needs gonode's channels.
 *
 * @param <K> the key type (with {@code equals} and {@code hashCode}; Go uses strings)
 * @param <V> the result type
 */
public final class SingleFlight<K, V> {

    /*
     * Implementation notes.
     *
     * x/sync/singleflight (singleflight.go): a map from key to the call in flight, guarded by a
     * Mutex. The first caller for a key creates a call with a WaitGroup at 1, publishes it, runs
     * fn outside the lock, stores the outcome, then (under the lock) counts the group down and
     * removes the map entry if it is still its own (forget may have replaced it). Later callers
     * find the call, count themselves in dups under the lock, and wait on the WaitGroup, which
     * orders the stored outcome before their read of it. shared = dups > 0 for the first caller,
     * and true for the others. The first caller reads dups under the lock in the same critical
     * section that unpublishes the call, so every caller that joined is counted.
     */

    /** The outcome of {@link #doCall}: Go's {@code (v, err, shared)}. */
    public record Result<V>(V value, Exception err, boolean shared) {

        /** The value, or the checked exception {@code fn} threw. */
        public V get() throws Exception {
            if (err != null) {
                throw err;
            }
            return value;
        }
    }

    private static final class Call<V> {
        final WaitGroup wg = new WaitGroup();
        V value;                 // written before wg.done(), read after wg.waitAll()
        Exception err;
        RuntimeException panic;  // an unchecked exception from fn
        Error error;
        int dups;                // guarded by the group's mu
    }

    private final Mutex mu = new Mutex();
    private final Map<K, Call<V>> calls = new HashMap<>(); // guarded by mu

    /** Creates a group with no calls in flight (Go's zero {@code singleflight.Group}). */
    public SingleFlight() {
    }

    /**
     * Runs {@code fn} for {@code key}, unless a call for {@code key} is already in flight, in
     * which case this waits for that call and returns its outcome (Go's {@code Do}).
     *
     * @throws RuntimeException the unchecked exception {@code fn} threw, to every caller sharing it
     * @throws Error            the error {@code fn} threw, to every caller sharing it
     */
    public Result<V> doCall(K key, Callable<? extends V> fn) {
        Objects.requireNonNull(fn, "fn");
        Call<V> c;
        boolean leader = false;
        mu.lock();
        try {
            c = calls.get(key); // the key's equals/hashCode may throw: hence the finally
            if (c != null) {
                c.dups++;
            } else {
                c = new Call<>();
                c.wg.add(1);
                calls.put(key, c);
                leader = true;
            }
        } finally {
            mu.unlock();
        }
        if (!leader) {
            c.wg.waitAll();
            rethrowPanic(c);
            return new Result<>(c.value, c.err, true);
        }

        boolean shared = false;
        try {
            c.value = fn.call();
        } catch (RuntimeException e) {
            c.panic = e;
        } catch (Exception e) {
            c.err = e;
        } catch (Error e) {
            c.error = e;
        } finally {
            mu.lock();
            try {
                c.wg.done();
                if (calls.get(key) == c) {
                    calls.remove(key);
                }
                shared = c.dups > 0; // final now: nobody can find c any more
            } finally {
                mu.unlock();
            }
        }
        rethrowPanic(c);
        return new Result<>(c.value, c.err, shared);
    }

    private static void rethrowPanic(Call<?> c) {
        if (c.panic != null) {
            throw c.panic;
        }
        if (c.error != null) {
            throw c.error;
        }
    }

    /**
     * Go's {@code DoChan}: like {@link #doCall} but returns at once with a channel on which the
     * result (with its {@code shared} flag) arrives; the channel has room for it, so nobody has to
     * receive. The call runs in a new goroutine unless one for {@code key} is already in flight.
     */
    public ReceiveChannel<Result<V>> doChan(K key, Callable<? extends V> fn) {
        Channel<Result<V>> result = Channel.make(1);
        Go.go(() -> result.send(doCall(key, fn)));
        return result;
    }

    /**
     * Forgets the call in flight for {@code key}, if any: the next {@code doCall} for the key runs
     * {@code fn} instead of waiting for it. Callers already waiting still get its outcome.
     */
    public void forget(K key) {
        mu.lock();
        try {
            calls.remove(key);
        } finally {
            mu.unlock();
        }
    }

    /** The number of keys with a call in flight (a snapshot, for diagnostics). */
    public int inFlight() {
        mu.lock();
        try {
            return calls.size();
        } finally {
            mu.unlock();
        }
    }
}
