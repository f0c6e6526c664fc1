package dev.gonode.testing;

import java.util.List;

/**
 * The JVM options the runtime needs, for the child JVMs tests start: the parent pom defines them
 * once ({@code gonode.jvm.options}) and Surefire hands them to the test JVM as the system property
 * of the same name.
 */
public final class JvmOptions {

    /** The system property Surefire sets (parent pom). */
    public static final String PROPERTY = "gonode.jvm.options";

    private JvmOptions() {
    }

    /** The runtime's options, one list element per command-line word. */
    public static List<String> runtime() {
        String options = System.getProperty(PROPERTY);
        if (options == null || options.isBlank()) {
            throw new IllegalStateException("the system property " + PROPERTY + " is not set: run the tests through"
                    + " Maven (Surefire sets it from the parent pom.xml), or pass -D" + PROPERTY
                    + "=\"<the options in pom.xml>\" to the test JVM");
        }
        return List.of(options.strip().split("\\s+"));
    }
}
