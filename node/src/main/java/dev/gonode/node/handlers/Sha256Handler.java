package dev.gonode.node.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.node.PayloadException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@code sha256}: {@code {"data": "...", "rounds": N}} hashes the UTF-8 bytes of {@code data}, then
 * the digest again, N times in all (1 to 10,000,000; default 1), and returns the hex digest. CPU
 * bound; it checks its context every 1,024 rounds so a deadline or drain stops it.
 */
public final class Sha256Handler implements JobHandler {

    static final long MAX_ROUNDS = 10_000_000;

    @Override
    public String name() {
        return "sha256";
    }

    @Override
    public Object handle(Job job) throws Exception {
        JsonNode data = job.payload().get("data");
        if (data == null || !data.isTextual()) {
            throw new PayloadException("sha256 takes {\"data\": \"text\", \"rounds\": N}; data must be a string");
        }
        JsonNode roundsNode = job.payload().get("rounds");
        long rounds = 1;
        if (roundsNode != null) {
            if (!roundsNode.isIntegralNumber() || roundsNode.asLong() < 1 || roundsNode.asLong() > MAX_ROUNDS) {
                throw new PayloadException("sha256: rounds must be a whole number from 1 to " + MAX_ROUNDS);
            }
            rounds = roundsNode.asLong();
        }
        byte[] digest = digest(data.asText().getBytes(StandardCharsets.UTF_8), rounds, job);
        return Map.of("sha256", HexFormat.of().formatHex(digest), "rounds", rounds);
    }

    private static byte[] digest(byte[] input, long rounds, Job job) throws Exception {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        byte[] value = input;
        for (long i = 0; i < rounds; i++) {
            if ((i & 1023) == 1023 && job.context().err() != null) {
                throw job.context().err();
            }
            value = sha.digest(value);
        }
        return value;
    }
}
