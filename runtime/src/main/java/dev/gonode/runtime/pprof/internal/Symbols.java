package dev.gonode.runtime.pprof.internal;

import dev.gonode.runtime.dump.internal.PseudoPc;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The function names behind the pseudo addresses ({@link PseudoPc}) of profiles this process has
 * served, for {@code /debug/pprof/symbol}: Go's handler answers {@code 0xADDR name} for addresses
 * it knows, and so does this table.
 *
 * <p>Implementation notes. A pseudo address is a function's entry plus a line offset below 4 KiB,
 * so the table keys function entries and looks an address up by rounding it down to its slot. It
 * keeps the most recently used {@value #MAX_ENTRIES} functions (an access-ordered
 * {@link LinkedHashMap}), so memory stays bounded however many profiles are served. Two functions
 * whose names hash to one entry share a slot: the most recent wins, as a symbol table of a
 * profile that never asks for symbols can afford.
 */
public final class Symbols {

    static final int MAX_ENTRIES = 65_536;

    private static final Map<Long, String> ENTRIES = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private Symbols() {
    }

    static void remember(long entry, String function) {
        synchronized (ENTRIES) {
            ENTRIES.put(entry, function);
        }
    }

    /** The function at pseudo address {@code pc}, or {@code null} if no profile served here had it. */
    public static String lookup(long pc) {
        long entry = pc & ~0xfffL; // entries are 4 KiB-aligned, offsets below 4 KiB (PseudoPc)
        synchronized (ENTRIES) {
            return ENTRIES.get(entry);
        }
    }
}
