package dev.gonode.runtime.pprof.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The class histogram's text is read into classes with Java names; the live JVM's has byte arrays. */
class ClassHistogramTest {

    @Test
    void histogramLinesBecomeEntriesWithJavaSpelledNames() {
        String text = """
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         12345        1234560  [B (java.base@25)
                   2:            10            480  [[Ljava.lang.String; (java.base@25)
                   3:             7            168  dev.gonode.Foo$Bar
                Total         12362        1235208
                """;
        assertEquals(List.of(new ClassHistogram.Entry("byte[]", 12345, 1234560),
                new ClassHistogram.Entry("java.lang.String[][]", 10, 480),
                new ClassHistogram.Entry("dev.gonode.Foo$Bar", 7, 168)), ClassHistogram.parse(text));
    }

    @Test
    void theLiveJvmHistogramHasByteArraysAndStrings() {
        List<ClassHistogram.Entry> live = ClassHistogram.take(false);
        assertTrue(live.stream().anyMatch(e -> e.className().equals("byte[]") && e.bytes() > 0), live.toString());
        assertTrue(live.stream().anyMatch(e -> e.className().equals("java.lang.String") && e.instances() > 0));
    }
}
