package dev.gonode.runtime.dump.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Program counters for Java frames, which have none, so that Go's {@code debug=1} and pprof
 * formats have the addresses they expect.
 *
 * <p>Implementation notes. A function's "entry" is the start of a 4 KiB slot chosen from a hash of
 * its qualified name; the frame's "pc" is the entry plus the line number (capped to the slot):
 * frames of one function at different lines get different addresses, and equal frames equal ones.
 * The first function to hash to a slot owns it; a later one with the same hash takes the next free
 * slot (linear probing), so no two functions share an entry and {@link #function(long)} can answer
 * Go's symbol lookup ({@code /debug/pprof/symbol}), which {@code go tool pprof} asks for the
 * addresses of a {@code debug=1} profile. Without collisions (the usual case: 16 M slots) an
 * address is the same in every process; with one it depends on which function was dumped first.
 * The table is process-wide and holds each distinct function name once, so it grows with the code
 * that has been dumped, not with goroutines; past {@value #MAX_FUNCTIONS} names a new function gets
 * its hashed entry unrecorded (its text and profile frames are still named; only a later symbol
 * lookup of its address finds nothing).
 */
public final class PseudoPc {

    private static final long BASE = 0x400000L;
    private static final long SLOT = 0x1000L;
    private static final long SLOTS = 1L << 24;
    static final int MAX_FUNCTIONS = 100_000;

    private static final ConcurrentHashMap<String, Long> ENTRIES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, String> FUNCTIONS = new ConcurrentHashMap<>();

    private PseudoPc() {
    }

    /** The pseudo entry address of {@code function}. */
    public static long entry(String function) {
        Long entry = ENTRIES.get(function);
        if (entry != null) {
            return entry;
        }
        if (ENTRIES.size() >= MAX_FUNCTIONS) {
            return BASE + hashSlot(function) * SLOT;
        }
        return ENTRIES.computeIfAbsent(function, PseudoPc::claim);
    }

    /** The function whose slot holds {@code address} (an entry, a pc or a return address), or {@code null}. */
    public static String function(long address) {
        if (address < BASE || address >= BASE + SLOTS * SLOT) {
            return null;
        }
        return FUNCTIONS.get(BASE + (address - BASE) / SLOT * SLOT);
    }

    private static long claim(String function) {
        for (long slot = hashSlot(function); ; slot = (slot + 1) & (SLOTS - 1)) {
            long entry = BASE + slot * SLOT;
            String owner = FUNCTIONS.putIfAbsent(entry, function);
            if (owner == null || owner.equals(function)) {
                return entry;
            }
        }
    }

    private static long hashSlot(String function) {
        long h = function.hashCode() & 0xffffffffL;
        h ^= h >>> 16;
        return h & (SLOTS - 1);
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
