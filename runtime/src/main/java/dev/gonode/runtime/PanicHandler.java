package dev.gonode.runtime;

/**
 * Receives exceptions that escape a goroutine: Go's unrecovered panic.
 *
 * <p>The default handler prints the panic to stderr in Go's shape ({@code panic: <exception>}, a
 * blank line, {@code goroutine N [running]:} and the stack) and, when the system property
 * {@code gonode.panic=exit} is set, halts the JVM with exit code 2 as Go does. Install another with
 * {@link Go#setPanicHandler(PanicHandler)}.
 */
@FunctionalInterface
public interface PanicHandler {

    /**
     * Called on the panicking goroutine after its body threw.
     *
     * @param goroutine the goroutine whose body threw
     * @param panic     what it threw
     */
    void panicked(Goroutine goroutine, Throwable panic);
}
