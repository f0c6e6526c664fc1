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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
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
 * cancellation) before its result, and {@code {"fail": "why"}} fails. Every item is checked before
 * any starts, so a malformed item is refused without running the others.
 */
public final class FanoutHandler implements JobHandler {

    static final int MAX_ITEMS = 10_000;
    static final int MAX_PARALLELISM = 1_024;
    private static final String USAGE = "fanout takes {\"items\": [...], \"parallelism\": K}";

    /** One item, checked: its index, its JSON, how long it sleeps and why it fails (null: it does not). */
    private record Item(int index, JsonNode json, long sleepMs, String failure) {
    }

    @Override
    public String name() {
        return "fanout";
    }

    @Override
    public Object handle(Job job) throws Exception {
        PayloadFields fields = PayloadFields.of(job, USAGE);
        JsonNode array = fields.array("items", MAX_ITEMS);
        int parallelism = (int) fields.wholeNumber("parallelism", 1, MAX_PARALLELISM, 4);
        List<Item> items = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            items.add(item(fields, i, array.get(i)));
        }
        ErrGroup.WithContext g = ErrGroup.withContext(job.context());
        g.group().setLimit(parallelism);
        AtomicReferenceArray<JsonNode> results = new AtomicReferenceArray<>(items.size());
        for (Item item : items) {
            if (g.context().err() != null) {
                break; // an item failed or the job ended: start no more
            }
            g.group().go(() -> results.set(item.index(), process(g.context(), item)));
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

    private static Item item(PayloadFields payload, int index, JsonNode json) {
        PayloadFields fields = payload.nested("items[" + index + "]", json);
        if (fields == null) {
            return new Item(index, json, 0, null);
        }
        long sleepMs = fields.wholeNumber("sleep_ms", 0, SleepHandler.MAX_MS, 0);
        String failure = fields.has("fail") ? fields.text("fail") : null;
        return new Item(index, json, sleepMs, failure);
    }

    private static JsonNode process(Context ctx, Item item) throws Exception {
        if (item.failure() != null) {
            throw new PayloadException("item " + item.index() + " failed: " + item.failure());
        }
        if (item.sleepMs() > 0) {
            boolean slept = Select.select(
                    Select.receiveOk(ctx.done()).map(closed -> false),
                    Select.timeout(Duration.ofMillis(item.sleepMs())).map(v -> true));
            if (!slept) {
                throw ctx.err();
            }
        }
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(item.json().toString().getBytes(StandardCharsets.UTF_8));
        return JsonNodeFactory.instance.objectNode().<ObjectNode>set("item", item.json())
                .put("sha256", HexFormat.of().formatHex(digest));
    }
}
