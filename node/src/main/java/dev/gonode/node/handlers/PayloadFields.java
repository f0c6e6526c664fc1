package dev.gonode.node.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.Job;
import dev.gonode.node.PayloadException;
import java.util.Locale;

/**
 * Reads the fields of a built-in handler's payload, refusing anything that is not exactly what the
 * handler documents: a missing required field, a value of the wrong JSON type ({@code "abc"} or
 * {@code 1.5} for a whole number, {@code null} for anything), and a whole number outside the
 * handler's range, however large ({@code 18446744073709551617} is refused, never wrapped to 1).
 * Every refusal is a {@link PayloadException} (400 {@code payload_rejected}) whose message names
 * the field, shows what was sent and says what the handler takes.
 *
 * <pre>{@code
 * PayloadFields fields = PayloadFields.of(job, "sleep takes {\"ms\": N}");
 * long ms = fields.wholeNumber("ms", 0, MAX_MS);
 * }</pre>
 */
final class PayloadFields {

    /** How much of a client's value a message shows. */
    private static final int SHOWN = 60;

    private final JsonNode object;
    private final String usage;
    private final String prefix;

    private PayloadFields(JsonNode object, String usage, String prefix) {
        this.object = object;
        this.usage = usage;
        this.prefix = prefix;
    }

    /**
     * The fields of {@code job}'s payload, which must be a JSON object; {@code usage} says what the
     * handler takes (such as {@code sleep takes {"ms": N}}) and starts every refusal's message.
     */
    static PayloadFields of(Job job, String usage) {
        JsonNode payload = job.payload();
        if (payload == null || !payload.isObject()) {
            throw new PayloadException(usage + ": the payload must be a JSON object, not " + describe(payload));
        }
        return new PayloadFields(payload, usage, "");
    }

    /**
     * The fields of {@code value}, an object nested in the payload at {@code path} (such as
     * {@code items[3]}), or {@code null} when {@code value} is not an object.
     */
    PayloadFields nested(String path, JsonNode value) {
        return value != null && value.isObject() ? new PayloadFields(value, usage, prefix + path + ".") : null;
    }

    /** Whether the object has {@code field}, whatever its value. */
    boolean has(String field) {
        return object.has(field);
    }

    /** A required whole number from {@code min} to {@code max}. */
    long wholeNumber(String field, long min, long max) {
        JsonNode value = object.get(field);
        if (value == null) {
            throw refused(field + " is missing; it must be a whole number from " + min + " to " + max);
        }
        return checkWholeNumber(field, value, min, max);
    }

    /** An optional whole number from {@code min} to {@code max}; {@code otherwise} when the field is absent. */
    long wholeNumber(String field, long min, long max, long otherwise) {
        JsonNode value = object.get(field);
        return value == null ? otherwise : checkWholeNumber(field, value, min, max);
    }

    /** A required string. */
    String text(String field) {
        JsonNode value = object.get(field);
        if (value == null || !value.isTextual()) {
            throw refused(field + " must be a string, not " + (value == null ? "missing" : describe(value)));
        }
        return value.textValue();
    }

    /** A required array of at most {@code maxItems} elements. */
    JsonNode array(String field, int maxItems) {
        JsonNode value = object.get(field);
        if (value == null || !value.isArray()) {
            throw refused(field + " must be an array, not " + (value == null ? "missing" : describe(value)));
        }
        if (value.size() > maxItems) {
            throw refused(field + " has " + value.size() + " elements; at most " + maxItems + " are allowed");
        }
        return value;
    }

    private long checkWholeNumber(String field, JsonNode value, long min, long max) {
        if (!value.isIntegralNumber()) {
            throw refused(field + " must be a whole number from " + min + " to " + max + ", not " + describe(value));
        }
        // canConvertToLong is false for a number beyond 64 bits, which longValue() would wrap.
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw refused(field + " is " + shown(value.asText()) + ", out of range: use a whole number from " + min
                    + " to " + max);
        }
        return value.longValue();
    }

    private PayloadException refused(String what) {
        return new PayloadException(usage + "; " + prefix + what);
    }

    /** A client's value for a message: its JSON type and, capped, its text. */
    private static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "empty";
        }
        if (value.isNull()) {
            return "null";
        }
        String type = value.getNodeType().toString().toLowerCase(Locale.ROOT);
        if (value.isContainerNode()) {
            return "an " + (value.isArray() ? "array" : "object");
        }
        return "the " + type + " " + shown(value.toString());
    }

    private static String shown(String text) {
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...";
    }
}
