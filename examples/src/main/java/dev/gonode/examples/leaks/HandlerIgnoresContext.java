package dev.gonode.examples.leaks;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Select;
import dev.gonode.runtime.chan.SendChannel;
import dev.gonode.runtime.context.Context;

/**
 * Leak: a request handler starts background work (here, handing an event to the mailer) in a
 * goroutine that ignores the request's context. When the mailer stops taking events, every
 * request leaves a goroutine blocked on the send, long after its client has gone.
 *
 * <p>Fix: the goroutine selects on the request context's {@code done()} as well, and gives up
 * when the request is over.
 */
public final class HandlerIgnoresContext {

    private HandlerIgnoresContext() {
    }

    /** Leaky: the goroutine waits for the mailer for as long as the mailer does not read. */
    public static void leakyHandle(Context request, SendChannel<String> mailer, String event) {
        Go.go(() -> mailer.send(event));   // BUG: ignores request.done()
    }

    /** Fixed: the goroutine gives up once the request's context is done. */
    public static void handle(Context request, SendChannel<String> mailer, String event) {
        Go.go(() -> Select.select(
                Select.send(mailer, event),
                Select.receive(request.done())));   // client gone or request timed out: drop it
    }
}
