package dev.gonode.runtime.leak;

import dev.gonode.runtime.internal.sched.GoRuntime;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link VerifyNoGoroutineLeaks}: notes the last goroutine id before
 * each test and runs {@link GoroutineLeaks#verifyNone} for the goroutines started after it. A test
 * that already failed is not checked (its own failure is the news).
 */
// JUnit is an optional dependency of the module (requires static): the tests that use the extension bring it.
@SuppressWarnings("exports")
public final class GoroutineLeakExtension implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(GoroutineLeakExtension.class);
    private static final String BASELINE = "baseline";

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(BASELINE, GoRuntime.get().stats().created());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            return;
        }
        Long baseline = context.getStore(NAMESPACE).get(BASELINE, Long.class);
        VerifyNoGoroutineLeaks settings = annotation(context).orElseThrow(() -> new IllegalStateException(
                GoroutineLeakExtension.class.getSimpleName() + " is meant to be used through @"
                        + VerifyNoGoroutineLeaks.class.getSimpleName() + ", which " + context.getDisplayName() + " lacks"));
        if (settings.gracePeriodMillis() < 0) {
            throw new IllegalArgumentException("@VerifyNoGoroutineLeaks(gracePeriodMillis) must not be negative, got "
                    + settings.gracePeriodMillis());
        }
        LeakOptions options = LeakOptions.defaults()
                .startedAfter(baseline)
                .gracePeriod(Duration.ofMillis(settings.gracePeriodMillis()));
        for (String f : settings.ignoreTopFunctions()) {
            options = options.ignoreTopFunction(f);
        }
        for (String f : settings.ignoreAnyFunctions()) {
            options = options.ignoreAnyFunction(f);
        }
        for (String name : settings.ignoreNames()) {
            options = options.ignoreName(name);
        }
        GoroutineLeaks.verifyNone(options);
    }

    private static Optional<VerifyNoGoroutineLeaks> annotation(ExtensionContext context) {
        Optional<VerifyNoGoroutineLeaks> onMethod = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, VerifyNoGoroutineLeaks.class));
        if (onMethod.isPresent()) {
            return onMethod;
        }
        return context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, VerifyNoGoroutineLeaks.class));
    }
}
