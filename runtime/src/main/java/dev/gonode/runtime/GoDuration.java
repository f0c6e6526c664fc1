package dev.gonode.runtime;

import java.time.Duration;

/**
 * Go's duration syntax ({@code time.ParseDuration}): a sequence of decimal numbers, each with an
 * optional fraction and a unit, such as {@code 300ms}, {@code 1.5h} or {@code 2h45m}. Units are
 * {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}.
 */
public final class GoDuration {

    private GoDuration() {
    }

    /**
     * Parses {@code text}; throws {@link IllegalArgumentException} naming the text and the syntax
     * expected when it is not a duration.
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid(text);
        }
        String s = text.trim();
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        double totalNanos = 0;
        int i = 0;
        if (s.isEmpty()) {
            throw invalid(text);
        }
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw invalid(text);
            }
            double value;
            try {
                value = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unitNanos = switch (s.substring(unitStart, i)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw invalid(text);
            };
            totalNanos += value * unitNanos;
        }
        if (totalNanos > Long.MAX_VALUE) {
            throw new IllegalArgumentException("duration " + text + " is too long (at most about 292 years)");
        }
        long nanos = Math.round(totalNanos);
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    /**
     * Formats {@code d} the way Go's {@code Duration.String} does, for example {@code 1m30s},
     * {@code 250ms} or {@code 1.5µs}: exact (integer arithmetic, no rounding), trailing zeros of the
     * fraction dropped. Cheap enough for a request path (no {@code Formatter}, no regex).
     */
    public static String format(Duration d) {
        long seconds = d.getSeconds();
        int nano = d.getNano();
        if (seconds == 0 && nano == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder(24);
        if (seconds < 0) {
            sb.append('-');
            // -(seconds + nano/1e9) as a non-negative seconds and nanos pair; Long.MIN_VALUE seconds
            // cannot be a Duration's, so the negation does not overflow
            seconds = -seconds;
            if (nano > 0) {
                seconds--;
                nano = 1_000_000_000 - nano;
            }
        }
        if (seconds == 0) {
            if (nano < 1_000) {
                return sb.append(nano).append("ns").toString();
            }
            if (nano < 1_000_000) {
                return fraction(sb, nano / 1_000, nano % 1_000, 3).append("µs").toString();
            }
            return fraction(sb, nano / 1_000_000, nano % 1_000_000, 6).append("ms").toString();
        }
        long hours = seconds / 3_600;
        long minutes = seconds / 60 % 60;
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        return fraction(sb, seconds % 60, nano, 9).append('s').toString();
    }

    /** Appends {@code whole}, then {@code part} as a fraction of {@code digits} digits without trailing zeros. */
    private static StringBuilder fraction(StringBuilder sb, long whole, int part, int digits) {
        sb.append(whole);
        if (part == 0) {
            return sb;
        }
        while (part % 10 == 0) {
            part /= 10;
            digits--;
        }
        sb.append('.');
        int width = 1;
        for (int rest = part; rest >= 10; rest /= 10) {
            width++;
        }
        for (; width < digits; width++) {
            sb.append('0');
        }
        return sb.append(part);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration \"" + text
                + "\": use a number with a unit (ns, us, ms, s, m, h), for example 500ms, 10s or 1m30s");
    }
}
