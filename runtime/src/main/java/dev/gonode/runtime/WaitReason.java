package dev.gonode.runtime;

/**
 * Why a goroutine is waiting, spelled exactly as Go's runtime spells it ({@code waitReasonStrings}
 * in Go's {@code runtime/runtime2.go}), so that goroutine dumps read like Go's and tools that parse
 * Go dumps understand them.
 *
 * <p>Every gonode primitive that can block records one of these while the goroutine is parked; the
 * goroutine dump prints it between the brackets of the header line
 * ({@code goroutine 18 [chan receive, 5 minutes]:}).
 */
public enum WaitReason {
    CHAN_RECEIVE("chan receive"),
    CHAN_SEND("chan send"),
    CHAN_RECEIVE_NIL("chan receive (nil chan)"),
    CHAN_SEND_NIL("chan send (nil chan)"),
    SELECT("select"),
    SELECT_NO_CASES("select (no cases)"),
    SLEEP("sleep"),
    SEMACQUIRE("semacquire"),
    SYNC_COND_WAIT("sync.Cond.Wait"),
    SYNC_MUTEX_LOCK("sync.Mutex.Lock"),
    SYNC_RWMUTEX_RLOCK("sync.RWMutex.RLock"),
    SYNC_RWMUTEX_LOCK("sync.RWMutex.Lock"),
    SYNC_WAITGROUP_WAIT("sync.WaitGroup.Wait"),
    IO_WAIT("IO wait");

    private final String goName;

    WaitReason(String goName) {
        this.goName = goName;
    }

    /** The reason as Go prints it, for example {@code chan receive}. */
    public String goName() {
        return goName;
    }

    @Override
    public String toString() {
        return goName;
    }
}
