package dev.gonode.node.internal;

import dev.gonode.node.internal.jobs.QueueView;
import dev.gonode.node.internal.store.postgres.StoreUnavailableException;
import dev.gonode.runtime.Go;
import io.vertx.core.Context;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The queue admin on the admin port (behind the admin token like every admin endpoint):
 *
 * <ul>
 *   <li>{@code GET /admin/jobs?state=&handler=&since=&until=&limit=&cursor=}: jobs newest first,
 *       in keyset pages: {@code {"jobs":[...],"nextCursor":"..."}} ({@code nextCursor} is absent on
 *       the last page; pass it back as {@code cursor} for the next)</li>
 *   <li>{@code GET /admin/jobs/stats}: counts by handler and state, and the oldest waiting job's age</li>
 *   <li>{@code GET /admin/jobs/{id}}: one job with its payload, result, last error and every
 *       attempt's error</li>
 *   <li>{@code POST /admin/jobs/{id}/retry}: a failed, discarded, cancelled or aborted job waits to
 *       run again (409 while it waits or runs, or when it succeeded)</li>
 *   <li>{@code POST /admin/jobs/{id}/cancel}: a waiting or running job ends {@code cancelled}
 *       (409 once it has ended)</li>
 *   <li>{@code GET /admin/periodic}: whether this node is the periodic jobs' leader, and each
 *       periodic job's schedule, last and next tick</li>
 * </ul>
 *
 * <p>Every query parameter is checked and a bad one is a 400 {@code bad_request} naming it and what
 * is allowed; so is one given twice or one the endpoint does not know. An id no job has is 404
 * {@code not_found}. The store's work runs on a goroutine, never on the event loop (on
 * {@code jobs.store: postgres} it is SQL); an unreachable store is 503 {@code store_unavailable}.
 *
 * <p>The cursor is opaque to clients: base64url of the last job's creation time and id, the keyset
 * of the listing order. Filters are not in it, so a client pages with the same filters it began
 * with; a cursor is never invalidated by new jobs.
 */
public final class QueueAdmin {

    /** Jobs per page unless {@code limit} says otherwise, and the most a page holds. */
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final Set<String> LIST_PARAMS = Set.of("state", "handler", "since", "until", "limit", "cursor");
    private static final Pattern HANDLER = Pattern.compile("[a-z0-9][a-z0-9-]{0,127}");
    private static final int MAX_CURSOR = 200;

    /** The admin endpoints this class serves, as the admin port's 404 lists them. */
    public static final List<String> ENDPOINTS = List.of("GET /admin/jobs", "GET /admin/jobs/stats",
            "GET /admin/jobs/{id}", "POST /admin/jobs/{id}/retry", "POST /admin/jobs/{id}/cancel", "GET /admin/periodic");

    private final QueueView view;
    private final String store;
    private final Supplier<Map<String, Object>> periodic;

    /**
     * @param store    the store's name for messages: {@code memory} or {@code postgres}
     * @param periodic what {@code GET /admin/periodic} shows: whether this node leads, and each
     *                 periodic job's schedule, last and next tick
     */
    public QueueAdmin(QueueView view, String store, Supplier<Map<String, Object>> periodic) {
        this.view = view;
        this.store = store;
        this.periodic = periodic;
    }

    /** Adds the queue admin's routes to the admin router. */
    public void routes(Router router) {
        router.get("/admin/jobs").handler(this::list);
        router.get("/admin/jobs/stats").handler(this::stats);
        router.get("/admin/jobs/:id").handler(this::get);
        router.post("/admin/jobs/:id/retry").handler(ctx -> act(ctx, "retry"));
        router.post("/admin/jobs/:id/cancel").handler(ctx -> act(ctx, "cancel"));
        router.get("/admin/periodic").handler(ctx -> {
            if (noParams(ctx)) {
                Json.respond(ctx, 200, periodic.get(), false);
            }
        });
    }

    // ---------------------------------------------------------------- list

    private void list(RoutingContext ctx) {
        Map<String, String> params;
        QueueView.Filter filter;
        QueueView.Cursor cursor;
        int limit;
        try {
            params = single(ctx, LIST_PARAMS);
            Set<String> states = states(params.get("state"));
            String handler = params.get("handler");
            if (handler != null && !HANDLER.matcher(handler).matches()) {
                throw new BadParameter("handler=" + JobRouter.cap(handler) + " is not a handler name: use lower-case"
                        + " letters, digits and dashes, such as echo");
            }
            Instant since = time("since", params.get("since"));
            Instant until = time("until", params.get("until"));
            if (since != null && until != null && !until.isAfter(since)) {
                throw new BadParameter("until=" + params.get("until") + " is not after since=" + params.get("since")
                        + ": give a time range whose end is later than its start");
            }
            filter = new QueueView.Filter(states, handler, since, until);
            limit = limit(params.get("limit"));
            cursor = cursor(params.get("cursor"));
        } catch (BadParameter e) {
            Json.error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        onGoroutine(ctx, "admin jobs list", () -> view.list(filter, cursor, limit), page -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("jobs", page.jobs().stream().map(QueueAdmin::summary).toList());
            if (page.next() != null) {
                answer.put("nextCursor", encode(page.next()));
            }
            Json.respond(ctx, 200, answer, false);
        });
    }

    /** The query parameters, each at most once and each one of {@code allowed}. */
    private static Map<String, String> single(RoutingContext ctx, Set<String> allowed) {
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : ctx.queryParams()) {
            if (!allowed.contains(e.getKey())) {
                throw new BadParameter("unknown query parameter \"" + JobRouter.cap(e.getKey()) + "\"; "
                        + ctx.normalizedPath() + " takes " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
            if (params.put(e.getKey(), e.getValue()) != null) {
                throw new BadParameter(e.getKey() + " is given twice; give it once (several states go in one"
                        + " state=a,b)");
            }
        }
        return params;
    }

    private static Set<String> states(String value) {
        if (value == null) {
            return Set.of();
        }
        Set<String> states = new LinkedHashSet<>();
        for (String word : value.split(",", -1)) {
            String s = word.strip();
            if (s.equals("queued")) {
                states.addAll(QueueView.WAITING);
            } else if (QueueView.STATES.contains(s)) {
                states.add(s);
            } else {
                throw new BadParameter("state=" + JobRouter.cap(value) + ": \"" + JobRouter.cap(s) + "\" is not a"
                        + " state; use one or more (comma-separated) of queued, " + String.join(", ", QueueView.STATES));
            }
        }
        return states;
    }

    private static Instant time(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadParameter(name + "=" + JobRouter.cap(value) + " is not an RFC 3339 time; use one such as"
                    + " 2025-01-31T12:00:00Z (a + in an offset is %2B in a URL)");
        }
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadParameter("limit=" + JobRouter.cap(value) + " is not allowed; use a whole number from 1 to "
                + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ")");
    }

    /** The keyset position a cursor names; a cursor that this node did not write is refused. */
    private static QueueView.Cursor cursor(String value) {
        if (value == null) {
            return null;
        }
        try {
            if (value.length() > MAX_CURSOR) {
                throw new IllegalArgumentException("too long");
            }
            String text = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
            String[] parts = text.split("\\|", -1);
            if (parts.length != 3 || !parts[2].matches("[0-9a-zA-Z-]{1,64}")) {
                throw new IllegalArgumentException("not a cursor");
            }
            Instant created = Instant.ofEpochSecond(Long.parseLong(parts[0]), Integer.parseInt(parts[1]));
            return new QueueView.Cursor(created, parts[2]);
        } catch (RuntimeException e) {
            throw new BadParameter("cursor=" + JobRouter.cap(value) + " is not a cursor this endpoint gave out; pass"
                    + " the nextCursor of the previous page as it is, or leave cursor out for the first page");
        }
    }

    static String encode(QueueView.Cursor cursor) {
        String text = cursor.createdAt().getEpochSecond() + "|" + cursor.createdAt().getNano() + "|" + cursor.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- one job, stats, actions

    private void get(RoutingContext ctx) {
        if (!noParams(ctx)) {
            return;
        }
        String id = ctx.pathParam("id");
        onGoroutine(ctx, "admin job lookup", () -> view.get(id), job -> {
            if (job.isEmpty()) {
                notFound(ctx, id);
            } else {
                Json.respond(ctx, 200, detail(job.get()), false);
            }
        });
    }

    private void stats(RoutingContext ctx) {
        if (!noParams(ctx)) {
            return;
        }
        onGoroutine(ctx, "admin job stats", view::stats, stats -> {
            Instant now = Instant.now();
            Map<String, Map<String, Object>> byHandler = new TreeMap<>();
            Map<String, Long> totals = new TreeMap<>();
            long total = 0;
            for (QueueView.Stat s : stats) {
                Map<String, Object> h = byHandler.computeIfAbsent(s.handler(), k -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("handler", k);
                    m.put("total", 0L);
                    m.put("states", new TreeMap<String, Long>());
                    return m;
                });
                @SuppressWarnings("unchecked")
                Map<String, Long> states = (Map<String, Long>) h.get("states");
                states.put(s.state(), s.count());
                h.put("total", (Long) h.get("total") + s.count());
                if (QueueView.WAITING.contains(s.state()) && s.oldestCreatedAt() != null) {
                    double age = Math.max(0, Duration.between(s.oldestCreatedAt(), now).toMillis() / 1000.0);
                    h.merge("oldestWaitingAgeSeconds", age, (a, b) -> Math.max((Double) a, (Double) b));
                }
                totals.merge(s.state(), s.count(), Long::sum);
                total += s.count();
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("store", store);
            answer.put("total", total);
            answer.put("states", totals);
            answer.put("handlers", new ArrayList<>(byHandler.values()));
            Json.respond(ctx, 200, answer, false);
        });
    }

    private void act(RoutingContext ctx, String action) {
        if (!noParams(ctx)) {
            return;
        }
        String id = ctx.pathParam("id");
        onGoroutine(ctx, "admin job " + action, () -> action.equals("retry") ? view.retry(id) : view.cancel(id),
                result -> {
                    switch (result) {
                        case QueueView.Action.Done done -> Json.respond(ctx, 200, detail(done.job()), false);
                        case QueueView.Action.NotFound nf -> notFound(ctx, id);
                        case QueueView.Action.Conflict c -> Json.error(ctx, 409,
                                action.equals("retry") ? "not_retryable" : "not_cancellable",
                                "job " + id + " is " + c.state() + ": " + c.why());
                    }
                });
    }

    private static boolean noParams(RoutingContext ctx) {
        try {
            single(ctx, Set.of());
            return true;
        } catch (BadParameter e) {
            Json.error(ctx, 400, "bad_request", e.getMessage());
            return false;
        }
    }

    private void notFound(RoutingContext ctx, String id) {
        Json.error(ctx, 404, "not_found", "no job with id \"" + JobRouter.cap(id) + "\"" + (store.equals("memory")
                ? " on this node (jobs.store: memory keeps finished jobs for jobs.results-ttl, at most"
                + " jobs.results-max of them)" : " in the fleet's queue (finished jobs are pruned after jobs.results-ttl)"));
    }

    // ---------------------------------------------------------------- JSON

    private static Map<String, Object> summary(QueueView.JobSummary job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id());
        m.put("handler", job.handler());
        m.put("state", job.state());
        m.put("status", QueueView.WAITING.contains(job.state()) ? "queued" : job.state());
        m.put("attempt", job.attempt());
        if (job.maxAttempts() > 0) {
            m.put("maxAttempts", job.maxAttempts());
        }
        put(m, "createdAt", job.createdAt());
        put(m, "scheduledAt", job.scheduledAt());
        put(m, "attemptedAt", job.attemptedAt());
        put(m, "finishedAt", job.finishedAt());
        put(m, "owner", job.owner());
        put(m, "idempotencyKey", job.idempotencyKey());
        put(m, "errorCode", job.errorCode());
        return m;
    }

    private static Map<String, Object> detail(QueueView.JobDetail job) {
        Map<String, Object> m = summary(job.job());
        m.put("payload", job.payload());
        put(m, "result", job.result());
        put(m, "error", job.error());
        m.put("errors", job.errors());
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value instanceof Instant t ? t.toString() : value);
        }
    }

    /**
     * Runs {@code call} on a goroutine and {@code then} with its value back on the request's
     * context; an unreachable store is answered 503 {@code store_unavailable}.
     */
    private static <T> void onGoroutine(RoutingContext ctx, String what, Supplier<T> call, Consumer<T> then) {
        Context requestContext = ctx.vertx().getOrCreateContext();
        Go.go(what, () -> {
            T value;
            try {
                value = call.get();
            } catch (StoreUnavailableException e) {
                requestContext.runOnContext(v -> {
                    ctx.response().putHeader("Retry-After", "1");
                    Json.error(ctx, 503, "store_unavailable", "the job store (PostgreSQL) cannot be reached, so the"
                            + " queue cannot be read or changed now; retry after a moment");
                });
                return;
            } catch (RuntimeException e) {
                requestContext.runOnContext(v -> ctx.fail(e));
                return;
            }
            requestContext.runOnContext(v -> then.accept(value));
        });
    }

    /** A query parameter the client must fix; the message names it. */
    private static final class BadParameter extends RuntimeException {
        BadParameter(String message) {
            super(message, null, false, false);
        }
    }
}
