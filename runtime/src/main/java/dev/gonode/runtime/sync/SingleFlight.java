package dev.gonode.runtime.sync;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.chan.ReceiveChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
     *
     * doChan is DoChan: it publishes the call (or joins one, adding its channel to the call's
     * chans) under the lock before it returns, and only then starts a goroutine to run fn. The
     * registration must not be left to that goroutine: started from a goroutine it waits in the
     * caller's runnext until the caller parks, so a doCall right after doChan would find nothing
     * in flight and run fn a second time. The leader of a call, whether doCall or doChan's
     * goroutine, sends the result to every channel once the call is unpublished (chans is final
     * then); each channel has one free slot, so the send never blocks.
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
        List<Channel<Result<V>>> chans; // doChan receivers; guarded by mu, null if none
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
        boolean lead = false;
        mu.lock();
        try {
            c = calls.get(key); // the key's equals/hashCode may throw: hence the finally
            if (c != null) {
                c.dups++;
            } else {
                c = begin(key);
                lead = true;
            }
        } finally {
            mu.unlock();
        }
        if (!lead) {
            c.wg.waitAll();
            rethrowPanic(c);
            return new Result<>(c.value, c.err, true);
        }
        boolean shared = run(key, c, fn);
        if (c.chans != null && (c.panic != null || c.error != null)) {
            // chans is final: run unpublished the call. Go re-panics in a new goroutine here, so
            // that the caller cannot recover a panic that leaves the doChan receivers without a
            // result; report it as an unrecovered panic the same way.
            Call<V> panicked = c;
            Go.go("singleflight panic", () -> rethrowPanic(panicked));
        }
        rethrowPanic(c);
        return new Result<>(c.value, c.err, shared);
    }

    /**
     * Go's {@code DoChan}: like {@link #doCall} but returns at once with a channel on which the
     * result arrives; the channel has room for it, so nobody has to receive. The call is in flight
     * when this returns: a {@code doCall} or {@code doChan} for {@code key} made after it joins it.
     * If no call for {@code key} was in flight, {@code fn} runs in a new goroutine. Every receiver
     * gets {@code shared == true} if more than one caller joined the call.
     *
     * <p>If {@code fn} throws an unchecked exception or an error (Go's panic), nothing arrives on
     * the channel: the throwable escapes the goroutine that ran {@code fn} as an unrecovered panic
     * (see {@link dev.gonode.runtime.PanicHandler}), as singleflight makes such a panic
     * unrecoverable.
     */
    public ReceiveChannel<Result<V>> doChan(K key, Callable<? extends V> fn) {
        Objects.requireNonNull(fn, "fn");
        Channel<Result<V>> result = Channel.make(1);
        Call<V> c;
        boolean lead = false;
        mu.lock();
        try {
            c = calls.get(key);
            if (c != null) {
                c.dups++;
            } else {
                c = begin(key);
                lead = true;
            }
            if (c.chans == null) {
                c.chans = new ArrayList<>(1);
            }
            c.chans.add(result);
        } finally {
            mu.unlock();
        }
        if (lead) {
            Call<V> call = c;
            Go.go("singleflight.DoChan", () -> {
                run(key, call, fn);
                rethrowPanic(call); // an unrecovered panic in this goroutine, as in Go
            });
        }
        return result;
    }

    /** Publishes a new call for {@code key}. Called with {@code mu} held. */
    private Call<V> begin(K key) {
        Call<V> c = new Call<>();
        c.wg.add(1);
        calls.put(key, c);
        return c;
    }

    /**
     * Go's {@code doCall}: runs {@code fn} for the published call {@code c}, stores the outcome,
     * releases the callers waiting for it, unpublishes it and sends the result to the doChan
     * channels (unless {@code fn} panicked). Returns whether the result was shared.
     */
    private boolean run(K key, Call<V> c, Callable<? extends V> fn) {
        boolean shared;
        List<Channel<Result<V>>> chans;
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
                chans = c.chans;
            } finally {
                mu.unlock();
            }
        }
        if (chans != null && c.panic == null && c.error == null) {
            Result<V> r = new Result<>(c.value, c.err, shared);
            for (Channel<Result<V>> ch : chans) {
                ch.trySend(r); // each channel has one free slot and gets one value: never fails
            }
        }
        return shared;
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
