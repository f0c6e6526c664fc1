package dev.gonode.runtime.dump.internal;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.dump.DumpFilter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The goroutines a dump shows, in id order, each read into a {@link Snapshot} only when the writer
 * reaches it.
 *
 * <p>Implementation notes. Memory stays bounded by one stack at a time: selection keeps references
 * to the matching goroutine records only (a few words each, and the records are alive anyway), sorts
 * them by id as Go lists goroutines in creation order, and takes each stack while iterating, so a
 * writer that streams its output never holds more than the stack it is formatting. The filter's
 * criteria read only the record and run before any stack is taken; the limit counts goroutines
 * actually shown, so one that finishes between selection and its snapshot does not use up a slot.
 * A dump is not a stop-the-world snapshot: goroutines started after selection are absent and the
 * record and stack of one goroutine are read a few microseconds apart.
 */
public final class Selection implements Iterable<Snapshot> {

    private final List<Goroutine> selected;
    private final long limit;

    private Selection(List<Goroutine> selected, long limit) {
        this.selected = selected;
        this.limit = limit;
    }

    /** Selects from {@code goroutines} those {@code filter} matches. */
    public static Selection of(Stream<? extends Goroutine> goroutines, DumpFilter filter) {
        List<Goroutine> list = new ArrayList<>();
        goroutines.filter(filter::matches).forEach(list::add);
        list.sort(Comparator.comparingLong(Goroutine::id));
        return new Selection(list, filter.limit());
    }

    /** How many goroutines matched the filter when selected (before the limit and finished ones). */
    public int matched() {
        return selected.size();
    }

    @Override
    public Iterator<Snapshot> iterator() {
        return new Iterator<>() {
            private int next;
            private long shown;
            private Snapshot pending;

            @Override
            public boolean hasNext() {
                while (pending == null && shown < limit && next < selected.size()) {
                    pending = Snapshot.take(selected.get(next++));
                }
                return pending != null;
            }

            @Override
            public Snapshot next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Snapshot s = pending;
                pending = null;
                shown++;
                return s;
            }
        };
    }
}
