package dev.gonode.node.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gonode.node.Job;
import dev.gonode.node.JobHandler;
import dev.gonode.node.PayloadException;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.sync.ErrGroup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code fanout}: {@code {"items": [...], "parallelism": K}} processes every item in its own
 * goroutine, at most K at once (default 4, up to 1,024), through an {@link ErrGroup} on the job's
 * context, and fans the results back in, in the items' order. The first failing item cancels the
 * others and fails the job with 400 naming it.
 *
 * <p>An item is any JSON value; its result is {@code {"item": ..., "sha256": <hex of its JSON>}}.
 * Two kinds of object items exercise the machinery: {@code {"sleep_ms": N}} waits N ms (honouring
 * cancellation) before its result, and {@code {"fail": "why"}} fails.
 */
public final class FanoutHandler implements JobHandler {

    static final int MAX_ITEMS = 10_000;
    static final int MAX_PARALLELISM = 1_024;

    @Override
    public String name() {
        return "fanout";
    }

    @Override
    public Object handle(Job job) throws Exception {
        JsonNode items = job.payload().get("items");
        if (items == null || !items.isArray() || items.size() > MAX_ITEMS) {
            throw new PayloadException("fanout takes {\"items\": [...], \"parallelism\": K} with at most " + MAX_ITEMS
                    + " items");
        }
        JsonNode k = job.payload().get("parallelism");
        int parallelism = 4;
        if (k != null) {
            if (!k.isIntegralNumber() || k.asInt() < 1 || k.asInt() > MAX_PARALLELISM) {
                throw new PayloadException("fanout: parallelism must be a whole number from 1 to " + MAX_PARALLELISM);
            }
            parallelism = k.asInt();
        }
        ErrGroup.WithContext g = ErrGroup.withContext(job.context());
        g.group().setLimit(parallelism);
        AtomicReferenceArray<JsonNode> results = new AtomicReferenceArray<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            int index = i;
            JsonNode item = items.get(i);
            if (g.context().err() != null) {
                break; // an item failed or the job ended: start no more
            }
            g.group().go(() -> results.set(index, process(g.context(), index, item)));
        }
        Exception failed = g.group().await();
        if (failed instanceof PayloadException) {
            throw failed;
        }
        if (failed != null || job.context().err() != null) {
            throw failed != null ? failed : job.context().err();
        }
        var out = JsonNodeFactory.instance.arrayNode(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(results.get(i));
        }
        return Map.of("results", out, "parallelism", parallelism);
    }

    private static JsonNode process(Context ctx, int index, JsonNode item) throws Exception {
        if (item.isObject() && item.has("fail")) {
            throw new PayloadException("item " + index + " failed: " + item.get("fail").asText());
        }
        if (item.isObject() && item.has("sleep_ms")) {
            long ms = item.get("sleep_ms").asLong();
            if (ms < 0 || ms > SleepHandler.MAX_MS) {
                throw new PayloadException("item " + index + ": sleep_ms must be from 0 to " + SleepHandler.MAX_MS);
            }
            boolean slept = Select.select(
                    Select.receiveOk(ctx.done()).map(closed -> false),
                    Select.timeout(Duration.ofMillis(ms)).map(v -> true));
            if (!slept) {
                throw ctx.err();
            }
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(item.toString().getBytes(StandardCharsets.UTF_8));
        return JsonNodeFactory.instance.objectNode().<ObjectNode>set("item", item)
                .put("sha256", HexFormat.of().formatHex(digest));
    }
}
