package dev.gonode.node.internal.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The key that makes a handler's jobs unique within a window ({@code unique-for}): the same payload
 * in the same window gives the same key, which the job stores treat as an {@code Idempotency-Key}.
 *
 * <p>Implementation notes. The payload is written with its object keys sorted (so key order does
 * not matter; numbers and strings compare as written) and hashed with SHA-256. Windows are aligned
 * to the Unix epoch, as River's unique-by-period: the key is {@code unique:<window start in ms>:<hash>},
 * so two submissions with one payload are the same job when they fall in the same window, which
 * needs no clock agreement beyond the pods' (and no lookup): on the shared queue the table's
 * unique index on {@code (handler, idempotency_key)} makes the insert atomic across the fleet.
 */
final class UniqueKeys {

    private UniqueKeys() {
    }

    static String of(ObjectMapper mapper, JsonNode payload, Duration window) {
        long windowMillis = window.toMillis();
        long start = Math.floorDiv(System.currentTimeMillis(), windowMillis) * windowMillis;
        byte[] canonical;
        try {
            canonical = mapper.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsBytes(mapper.convertValue(payload, Object.class));
        } catch (JsonProcessingException e) {
            canonical = String.valueOf(payload).getBytes(StandardCharsets.UTF_8);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical);
            return "unique:" + start + ":" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
