package dev.gonode.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bench jar's main class: JMH's command line ({@code org.openjdk.jmh.Main}), with the runtime's
 * JVM options prepended to every fork's. They come from {@code gonode-jvm.options} on the class
 * path, which the build writes from the parent pom (the one place that names them); the same file,
 * {@code bench/target/classes/gonode-jvm.options}, is a JDK argument file for the benchmarks'
 * plain mains ({@code java @bench/target/classes/gonode-jvm.options -cp ...}). The options
 * {@code @Fork} annotations and {@code -jvmArgsAppend} add come after them; a {@code -jvmArgsPrepend}
 * or {@code -jvmArgs} given on the command line replaces them.
 */
public final class BenchMain {

    /** The argument file on the class path. */
    public static final String OPTIONS_RESOURCE = "/gonode-jvm.options";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        if (!all.contains("-jvmArgsPrepend") && !all.contains("-jvmArgs")) {
            all.addAll(0, List.of("-jvmArgsPrepend", runtimeOptions()));
        }
        org.openjdk.jmh.Main.main(all.toArray(String[]::new));
    }

    /** The runtime's JVM options, separated by spaces. */
    static String runtimeOptions() throws IOException {
        try (InputStream in = BenchMain.class.getResourceAsStream(OPTIONS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OPTIONS_RESOURCE + " is missing from the class path: build the bench"
                        + " jar with ./mvnw -q -B -DskipTests -pl bench -am package");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
