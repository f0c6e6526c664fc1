/**
 * What the tests of every gonode module share: {@link dev.gonode.testing.Await} (wait for a
 * condition, in the JVM or over HTTP), {@link dev.gonode.testing.NodeProcess} (the real node in a
 * child JVM), {@link dev.gonode.testing.JvmOptions} (the runtime's options for child JVMs) and
 * {@link dev.gonode.testing.ExternalTools} (the policy for tests that run Go's tools and promtool).
 * A test-scope dependency with no gonode module of its own, so the runtime's tests can use it too.
 */
package dev.gonode.testing;
