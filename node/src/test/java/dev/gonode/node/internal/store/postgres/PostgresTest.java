package dev.gonode.node.internal.store.postgres;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against a real PostgreSQL: it gets its own fresh database (a
 * {@link TestDatabase} parameter) on the server {@link TestPostgres} provides, and a default
 * timeout, so a hung test fails with a thread dump instead of stalling the build.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public @interface PostgresTest {
}
