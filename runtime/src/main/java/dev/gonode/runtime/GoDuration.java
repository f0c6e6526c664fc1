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

    /** Formats {@code d} the way Go's {@code Duration.String} does, for example {@code 1m30s} or {@code 250ms}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (nanos < 0) {
            sb.append('-');
            nanos = -nanos;
        }
        if (nanos < 1_000) {
            return sb.append(nanos).append("ns").toString();
        }
        if (nanos < 1_000_000) {
            return sb.append(trim(nanos / 1e3)).append("µs").toString();
        }
        if (nanos < 1_000_000_000) {
            return sb.append(trim(nanos / 1e6)).append("ms").toString();
        }
        long hours = nanos / 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L % 60;
        double seconds = (nanos % 60_000_000_000L) / 1e9;
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        return sb.append(trim(seconds)).append('s').toString();
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.9f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration \"" + text
                + "\": use a number with a unit (ns, us, ms, s, m, h), for example 500ms, 10s or 1m30s");
    }
}
