package dev.gonode.node.internal.periodic;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.gonode.node.NodeConfig;
import dev.gonode.runtime.GoDuration;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * When a periodic job's ticks fall: every multiple of a period since the Unix epoch
 * ({@code every: 5m} ticks at :00, :05, ... on every node's clock alike), or the times a crontab
 * expression names, in UTC (parsed by cron-utils with the Unix crontab definition). A tick is
 * named by its time, so every node names it alike.
 */
public sealed interface Schedule {

    /** The shortest period: a tick is named by its second. */
    Duration SHORTEST = Duration.ofSeconds(1);
    /** The longest period. */
    Duration LONGEST = Duration.ofDays(366);
    /** The most ticks {@link #ticksBetween} counts. */
    long COUNT_CAP = 100_000;

    /** The latest tick at or before {@code t}. */
    Instant latestAtOrBefore(Instant t);

    /** The first tick after {@code t}. */
    Instant nextAfter(Instant t);

    /** How many ticks fall strictly between {@code a} and {@code b} (at most {@link #COUNT_CAP}). */
    long ticksBetween(Instant a, Instant b);

    /** As the configuration wrote it: {@code every 5m} or {@code cron "0 3 * * *"}. */
    String describe();

    /**
     * The schedule of {@code entry}.
     *
     * @throws IllegalArgumentException saying what is wrong with its {@code every} or {@code cron}
     */
    static Schedule of(NodeConfig.Periodic entry) {
        if ((entry.every() == null) == (entry.cron() == null)) {
            throw new IllegalArgumentException("give exactly one of every (a period such as 5m) and cron (such as"
                    + " \"0 3 * * *\")");
        }
        if (entry.every() != null) {
            Duration d = entry.every();
            if (d.compareTo(SHORTEST) < 0 || d.compareTo(LONGEST) > 0 || d.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("every is " + GoDuration.format(d) + ": use whole seconds from "
                        + GoDuration.format(SHORTEST) + " to 366 days, such as 30s, 5m or 24h");
            }
            return new Every(d.toSeconds());
        }
        return Cron.parse(entry.cron());
    }

    /** Ticks at every multiple of {@code seconds} since the epoch. */
    record Every(long seconds) implements Schedule {
        @Override
        public Instant latestAtOrBefore(Instant t) {
            return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), seconds) * seconds);
        }

        @Override
        public Instant nextAfter(Instant t) {
            return latestAtOrBefore(t).plusSeconds(seconds);
        }

        @Override
        public long ticksBetween(Instant a, Instant b) {
            long first = latestAtOrBefore(a).getEpochSecond() + seconds;
            Instant lastAtOrBefore = latestAtOrBefore(b);
            long last = lastAtOrBefore.equals(b) ? b.getEpochSecond() - seconds : lastAtOrBefore.getEpochSecond();
            return last < first ? 0 : Math.min(COUNT_CAP, (last - first) / seconds + 1);
        }

        @Override
        public String describe() {
            return "every " + GoDuration.format(Duration.ofSeconds(seconds));
        }
    }

    /** Ticks when a crontab expression matches, in UTC. */
    record Cron(String expression, ExecutionTime times) implements Schedule {

        private static final CronParser PARSER =
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

        static Cron parse(String expression) {
            String text = expression.strip();
            try {
                return new Cron(text, ExecutionTime.forCron(PARSER.parse(text).validate()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cron \"" + text + "\" is not a crontab expression (" + e.getMessage()
                        + "); use five fields, minute hour day-of-month month day-of-week, in UTC, such as \"0 3 * * *\"");
            }
        }

        @Override
        public Instant latestAtOrBefore(Instant t) {
            ZonedDateTime minute = t.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
            if (times.isMatch(minute)) {
                return minute.toInstant();
            }
            return times.lastExecution(minute).map(ZonedDateTime::toInstant).orElse(Instant.EPOCH);
        }

        @Override
        public Instant nextAfter(Instant t) {
            return times.nextExecution(t.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toInstant)
                    .orElse(Instant.MAX);
        }

        @Override
        public long ticksBetween(Instant a, Instant b) {
            long n = 0;
            for (Instant t = nextAfter(a); t.isBefore(b) && n < COUNT_CAP; t = nextAfter(t)) {
                n++;
            }
            return n;
        }

        @Override
        public String describe() {
            return "cron \"" + expression + "\"";
        }
    }
}
