package dev.gonode.admin.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Watches the terminal for {@code q} while a command refreshes its screen ({@code top}), as Unix
 * {@code top} does.
 *
 * <p>Implementation notes. A terminal delivers input a line at a time; to see {@code q} as it is
 * pressed, the terminal is switched to character mode without echo ({@code stty -icanon -echo}) and
 * switched back on close, and by a shutdown hook when Ctrl-C ends the JVM first. When {@code stty}
 * is missing or fails the terminal stays as it was and {@code q} then takes Enter. A daemon thread
 * reads the keys; at the end of input it stops watching (Ctrl-C still ends the command) rather than
 * quitting, so that {@code top < /dev/null} keeps refreshing.
 */
public final class QuitKey implements AutoCloseable {

    private final CountDownLatch pressed = new CountDownLatch(1);
    private final String savedTerminal;
    private final Thread restoreOnExit;

    private QuitKey(InputStream keys, String savedTerminal) {
        this.savedTerminal = savedTerminal;
        this.restoreOnExit = savedTerminal == null ? null : new Thread(this::restoreTerminal, "gonode-admin-tty");
        if (restoreOnExit != null) {
            Runtime.getRuntime().addShutdownHook(restoreOnExit);
        }
        Thread reader = new Thread(() -> read(keys), "gonode-admin-keys");
        reader.setDaemon(true);
        reader.start();
    }

    /** Watches the terminal's keys (standard input), in character mode while this is open. */
    public static QuitKey onTerminal() {
        String saved = stty("-g");
        if (saved != null && stty("-icanon", "-echo", "min", "1") == null) {
            saved = null;
        }
        return new QuitKey(System.in, saved == null || saved.isBlank() ? null : saved.strip());
    }

    /** Watches {@code keys} (no terminal mode is changed). */
    public static QuitKey on(InputStream keys) {
        return new QuitKey(keys, null);
    }

    /** Waits up to {@code timeout} for {@code q}; true when it was pressed. */
    public boolean pressedWithin(Duration timeout) {
        try {
            return pressed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    @Override
    public void close() {
        if (restoreOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(restoreOnExit);
            } catch (IllegalStateException e) {
                return; // the JVM is exiting: the hook restores the terminal
            }
            restoreTerminal();
        }
    }

    private void read(InputStream keys) {
        try {
            int key;
            while ((key = keys.read()) != -1) {
                if (key == 'q' || key == 'Q') {
                    pressed.countDown();
                    return;
                }
            }
        } catch (IOException e) {
            // the terminal went away: nothing more to watch
        }
    }

    private void restoreTerminal() {
        stty(savedTerminal);
    }

    /** Runs {@code stty} on the controlling terminal; its output, or null when it failed. */
    private static String stty(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "stty";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process p = new ProcessBuilder(command).redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
