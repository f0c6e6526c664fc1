package dev.gonode.admin.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuitKeyTest {

    @Test
    void qPressedEndsTheWait() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        try (QuitKey keys = QuitKey.on(new PipedInputStream(keyboard))) {
            assertFalse(keys.pressedWithin(Duration.ofMillis(1)), "no key yet");
            keyboard.write("xyq".getBytes());
            keyboard.flush();
            assertTrue(keys.pressedWithin(Duration.ofMinutes(1)));
        }
    }

    @Test
    void endOfInputDoesNotQuit() throws Exception {
        try (QuitKey keys = QuitKey.on(new ByteArrayInputStream("abc".getBytes()))) {
            assertFalse(keys.pressedWithin(Duration.ofMillis(50)));
        }
    }
}
