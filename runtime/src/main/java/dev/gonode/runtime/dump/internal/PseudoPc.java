package dev.gonode.runtime.dump.internal;

/**
 * Program counters for Java frames, which have none, so that Go's {@code debug=1} and pprof
 * formats have the addresses they expect.
 *
 * <p>Implementation notes. A function's "entry" is derived from a hash of its qualified name, the
 * frame's "pc" is the entry plus the line number (capped to the 4 KiB slot each entry owns): equal
 * frames get equal addresses in every dump and every process, and frames of one function at
 * different lines get different ones, which is all the formats need. The addresses mean nothing
 * else; two functions may share an entry (the text still names each correctly).
 */
public final class PseudoPc {

    private static final long BASE = 0x400000L;
    private static final long SLOT = 0x1000L;

    private PseudoPc() {
    }

    /** The pseudo entry address of {@code function}. */
    public static long entry(String function) {
        long h = function.hashCode() & 0xffffffffL;
        h ^= h >>> 16;
        return BASE + (h & 0xffffffL) * SLOT;
    }

    /** The pseudo address of the call at {@code line} of {@code function} ({@code entry + offset}). */
    public static long pc(String function, int line) {
        return entry(function) + offset(line);
    }

    /** The offset of {@code line} from its function's entry. */
    public static long offset(int line) {
        return Math.min(Math.max(line, 0), SLOT - 1);
    }
}
