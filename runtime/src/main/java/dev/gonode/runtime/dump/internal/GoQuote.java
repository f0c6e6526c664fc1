package dev.gonode.runtime.dump.internal;

import java.util.Arrays;
import java.util.Map;

/**
 * Go's {@code %q} quoting, which Go's dumps use for labels ({@code {"k":"v", "k2":"v2"}}).
 *
 * <p>Implementation notes. Go's {@code strconv.Quote} keeps printable characters, escapes the
 * quote and the backslash, writes {@code \a \b \f \n \r \t \v} for those controls and
 * backslash-x, backslash-u and backslash-U hexadecimal escapes for other non-printable characters. Java's
 * notion of "printable" here is Go's: letters, marks, numbers, punctuation, symbols and the ASCII
 * space (so not controls, formats, surrogates, unassigned or private-use code points, nor any other
 * space or separator); that agrees with Go's {@code unicode.IsPrint}
 * for every label a program is likely to use.
 */
public final class GoQuote {

    private GoQuote() {
    }

    /** Appends {@code s} as Go's {@code %q} prints it. */
    public static void quote(StringBuilder out, String s) {
        if (isPlainAscii(s)) {
            out.append('"').append(s).append('"'); // the usual label: nothing to escape
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case 7 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 11 -> out.append("\\v");
                default -> {
                    if (isPrint(cp)) {
                        out.appendCodePoint(cp);
                    } else if (cp < 0x80) {
                        out.append("\\x").append(hex(cp, 2));
                    } else if (cp < 0x10000) {
                        out.append("\\u").append(hex(cp, 4));
                    } else {
                        out.append("\\U").append(hex(cp, 8));
                    }
                }
            }
        }
        out.append('"');
    }

    /** Go's {@code labelMap.String()}: {@code {"k":"v", "k2":"v2"}}, keys sorted. */
    public static void labels(StringBuilder out, Map<String, String> labels) {
        out.append('{');
        boolean first = true;
        String[] keys = labels.keySet().toArray(new String[0]);
        Arrays.sort(keys);
        for (String key : keys) {
            if (!first) {
                out.append(", ");
            }
            first = false;
            quote(out, key);
            out.append(':');
            quote(out, labels.get(key));
        }
        out.append('}');
    }

    /** Printable ASCII without {@code "} and backslash: what {@code %q} leaves as it is. */
    private static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' || c > '~' || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static boolean isPrint(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.UNASSIGNED,
                 Character.PRIVATE_USE, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            case Character.SPACE_SEPARATOR -> cp == ' ';
            default -> true;
        };
    }

    private static String hex(int value, int digits) {
        String h = Integer.toHexString(value);
        return "0".repeat(Math.max(0, digits - h.length())) + h;
    }
}
