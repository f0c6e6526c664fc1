package dev.gonode.runtime.dump;

/**
 * How the {@code debug=2} text names functions and source locations.
 *
 * <p>Java frames have no file path and no program counter, and Go's dump readers insist on both
 * shapes: panicparse (Debian's {@code panicparse} 2.3) accepts a location line only when the file
 * ends in {@code .go}, {@code .c} or {@code .s}, and rejects any line between the header and the
 * first frame, so it cannot read a {@code labels:} line. Hence two styles.
 */
public enum TextStyle {

    /**
     * For people (the default): Java names and the source file as the JVM reports it.
     *
     * <pre>
     * goroutine 18 [chan receive, 5 minutes]:
     * labels: {"handler":"echo", "job":"echo-7"}
     * dev.gonode.runtime.chan.Channel.receive(...)
     * 	Channel.java:212
     * created by com.example.Jobs.start in goroutine 1
     * 	Jobs.java:30
     * </pre>
     */
    GONODE,

    /**
     * For Go's tools (panicparse, goleak-style parsers): Go's function naming
     * ({@code import/path.Type.method}, the Java package as an import path) and an absolute
     * {@code .go}-suffixed location built from the package path and the source file
     * ({@code /dev/gonode/runtime/chan/Channel.java.go:212}); no {@code labels:} line, as in Go
     * up to 1.26. Everything else is as {@link #GONODE}.
     */
    GO_TOOLS
}
