package dev.gonode.runtime.leak;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a JUnit 5 test when goroutines it started (on the process-wide runtime) are still alive
 * after a grace period, or were collected while parked, listing them in Go's {@code debug=2}
 * format. On a class, applies to every test in it; on a method, to that test (a method's
 * annotation overrides its class's). Not for tests that run concurrently with others: a goroutine
 * another test started meanwhile would count.
 *
 * <pre>{@code
 * @VerifyNoGoroutineLeaks(ignoreTopFunctions = "com.example.Poller.poll")
 * class HandlerTest { ... }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(GoroutineLeakExtension.class)
@SuppressWarnings("exports") // JUnit is optional (requires static): the tests that use it bring it
public @interface VerifyNoGoroutineLeaks {

    /** Functions ({@code pkg.Class.method}) at the top of a stack (below the JDK) that are not leaks. */
    String[] ignoreTopFunctions() default {};

    /** Functions ({@code pkg.Class.method}) anywhere on a stack that make a goroutine not a leak. */
    String[] ignoreAnyFunctions() default {};

    /** Goroutine names that are not leaks. */
    String[] ignoreNames() default {};

    /** How long goroutines get to finish after the test, in milliseconds. */
    long gracePeriodMillis() default 2000;
}
