package dev.gonode.node.internal.store.postgres;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each {@link PostgresTest} class a fresh database on the one {@link TestPostgres} of the
 * test run (started on first use, stopped when the run ends), and drops it after the class.
 */
final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        TestPostgres server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(TestPostgres.class, k -> {
                    try {
                        return TestPostgres.startOrConnect();
                    } catch (RuntimeException | Error e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot start the test PostgreSQL: " + e, e);
                    }
                }, TestPostgres.class);
        String name = server.createDatabase(context.getRequiredTestClass().getSimpleName());
        context.getStore(NAMESPACE).put(TestDatabase.class, new TestDatabase(server, name));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        TestDatabase db = context.getStore(NAMESPACE).remove(TestDatabase.class, TestDatabase.class);
        if (db != null) {
            db.server().dropDatabase(db.name());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        return parameter.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        return extension.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
    }
}
