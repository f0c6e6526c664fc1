/**
 * Go's {@code sync} package, and {@code golang.org/x/sync}'s errgroup, semaphore and singleflight,
 * for goroutines (and plain Java threads).
 *
 * <table>
 *   <caption>Go names and gonode names</caption>
 *   <tr><th>Go</th><th>gonode</th><th>dump shows, while blocked</th></tr>
 *   <tr><td>{@code sync.Mutex}</td><td>{@link dev.gonode.runtime.sync.Mutex}: {@code lock},
 *       {@code unlock}, {@code tryLock}</td><td>{@code sync.Mutex.Lock}</td></tr>
 *   <tr><td>{@code sync.RWMutex}</td><td>{@link dev.gonode.runtime.sync.RWMutex}: {@code rLock},
 *       {@code rUnlock}, {@code lock}, {@code unlock}, {@code tryRLock}, {@code tryLock},
 *       {@code rLocker}</td><td>{@code sync.RWMutex.RLock}, {@code sync.RWMutex.Lock}</td></tr>
 *   <tr><td>{@code sync.WaitGroup}</td><td>{@link dev.gonode.runtime.sync.WaitGroup}: {@code add},
 *       {@code done}, {@code waitAll} (Go's {@code Wait}), {@code go}</td>
 *       <td>{@code sync.WaitGroup.Wait}</td></tr>
 *   <tr><td>{@code sync.Once}, {@code sync.OnceFunc}, {@code sync.OnceValue}</td>
 *       <td>{@link dev.gonode.runtime.sync.Once}: {@code doOnce} (Go's {@code Do}),
 *       {@code Once.onceFunc}, {@code Once.onceValue}</td><td>{@code sync.Mutex.Lock}</td></tr>
 *   <tr><td>{@code sync.Cond}, {@code sync.NewCond}</td><td>{@link dev.gonode.runtime.sync.Cond}:
 *       {@code await} (Go's {@code Wait}), {@code signal}, {@code broadcast}</td>
 *       <td>{@code sync.Cond.Wait}</td></tr>
 *   <tr><td>{@code sync.Locker}</td><td>{@link dev.gonode.runtime.sync.Locker}</td><td></td></tr>
 *   <tr><td>{@code x/sync/semaphore.Weighted}</td><td>{@link dev.gonode.runtime.sync.Semaphore}:
 *       {@code acquire} (also with a {@code Context}), {@code tryAcquire} (also with a timeout),
 *       {@code release}</td><td>{@code semacquire}</td></tr>
 *   <tr><td>{@code x/sync/singleflight.Group}</td>
 *       <td>{@link dev.gonode.runtime.sync.SingleFlight}: {@code doCall} (Go's {@code Do}),
 *       {@code doChan}, {@code forget}</td><td>{@code sync.WaitGroup.Wait}</td></tr>
 *   <tr><td>{@code x/sync/errgroup.Group}</td><td>{@link dev.gonode.runtime.sync.ErrGroup}:
 *       {@code go}, {@code tryGo}, {@code await} (Go's {@code Wait}), {@code withContext},
 *       {@code setLimit}</td><td>{@code sync.WaitGroup.Wait}, {@code chan send} (at the limit)</td></tr>
 * </table>
 *
 * <p>Where Go's name cannot be used in Java it gets a suffix: {@code do} is a keyword, and
 * {@code wait()} and {@code notifyAll()} are final methods of {@link java.lang.Object}.
 *
 * <p>Semantics are Go's: locks are neither reentrant nor owned (any goroutine may unlock),
 * {@code Mutex} has Go's starvation mode, {@code RWMutex} blocks new readers while a writer waits,
 * and misuse fails with Go's message ({@code sync: unlock of unlocked mutex},
 * {@code sync: negative WaitGroup counter}, {@code semaphore: released more than held}, ...) as an
 * {@link java.lang.IllegalStateException} that leaves the primitive usable. Blocking parks the
 * goroutine through gonode's scheduler, so it frees its carrier and the goroutine dump shows Go's
 * wait reason; on a plain thread it blocks the thread. Waits cannot be interrupted: an interrupt
 * is kept (the thread's interrupt status is set again when the wait ends) but does not end it.
 * To give up on a wait, use a {@link dev.gonode.runtime.context.Context}
 * ({@code Semaphore.acquire(ctx, n)}) or a timeout.
 */
package dev.gonode.runtime.sync;
