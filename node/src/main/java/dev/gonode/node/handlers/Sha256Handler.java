package dev.gonode.node.handlers;

import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
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
        PayloadFields fields = PayloadFields.of(job, "sha256 takes {\"data\": \"text\", \"rounds\": N}");
        String data = fields.text("data");
        long rounds = fields.wholeNumber("rounds", 1, MAX_ROUNDS, 1);
        byte[] digest = digest(data.getBytes(StandardCharsets.UTF_8), rounds, job);
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
