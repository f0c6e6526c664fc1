package dev.gonode.runtime.dump;

/** The formats a {@link GoroutineDump} writes, named after Go's {@code /debug/pprof/goroutine?debug=N}. */
public enum DumpFormat {

    /** Go's {@code debug=1}: {@code goroutine profile: total N}, then goroutines grouped by identical stack. */
    DEBUG1("text/plain; charset=utf-8"),

    /** Go's {@code debug=2}: one block per goroutine, its header, its frames and its creator. */
    DEBUG2("text/plain; charset=utf-8"),

    /** Every goroutine as JSON, with exact wait durations, labels, frames and creation site. */
    JSON("application/json"),

    /** Go's {@code debug=0}: a gzipped {@code profile.proto} goroutine profile for {@code go tool pprof}. */
    PPROF("application/octet-stream");

    private final String contentType;

    DumpFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The HTTP content type of this format (Go's pprof handler serves the same). */
    public String contentType() {
        return contentType;
    }

    /**
     * The format for a {@code debug} query parameter as Go's pprof handler reads it: 0 is the
     * protobuf, 1 the counted text, 2 the per-goroutine text.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static DumpFormat ofDebug(int debug) {
        return switch (debug) {
            case 0 -> PPROF;
            case 1 -> DEBUG1;
            case 2 -> DEBUG2;
            default -> throw new IllegalArgumentException("debug=" + debug
                    + " is not a goroutine dump format: use 0 (pprof protobuf), 1 (counted stacks) or 2 (every goroutine)");
        };
    }
}
