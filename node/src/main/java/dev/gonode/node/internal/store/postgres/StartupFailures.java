package dev.gonode.node.internal.store.postgres;

import dev.gonode.node.StartupException;
import java.sql.SQLException;

/**
 * Turns a failure to connect or migrate at start-up into a {@link StartupException} that names
 * the setting to fix and how. Decides by SQLSTATE (PostgreSQL's stable error codes), never by
 * message text; never includes the password or the URL's query string.
 */
final class StartupFailures {

    private StartupFailures() {
    }

    static StartupException connectFailed(PostgresSettings settings, Throwable failure) {
        SQLException sql = firstSqlException(failure);
        String where = settings.redactedUrl();
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        return switch (state) {
            case "28P01", "28000" -> new StartupException("PostgreSQL at " + where + " refused the login of role \""
                    + settings.user() + "\": check " + PostgresSettings.USER_KEY + " and the password ("
                    + PostgresSettings.PASSWORD_SOURCES + "), and that pg_hba.conf lets this role connect", failure);
            case "3D000" -> new StartupException("database \"" + settings.databaseName() + "\" does not exist at "
                    + where + ": create it (createdb " + settings.databaseName() + ") or fix the database name in "
                    + PostgresSettings.URL_KEY, failure);
            case "53300" -> new StartupException("PostgreSQL at " + where + " has no free connection slot"
                    + " (max_connections reached): raise max_connections or lower jobs.postgres.pool-size", failure);
            default -> {
                if (state.startsWith("08") || state.startsWith("57P")) {
                    yield new StartupException("cannot reach PostgreSQL at " + where + " (" + PostgresSettings.URL_KEY
                            + "): check that the server runs and that host and port are right ("
                            + describe(sql) + ")", failure);
                }
                yield new StartupException("cannot connect to PostgreSQL at " + where + " (" + PostgresSettings.URL_KEY
                        + "): " + describe(sql == null ? failure : sql), failure);
            }
        };
    }

    static StartupException migrationFailed(PostgresSettings settings, Throwable failure) {
        SQLException sql = firstSqlException(failure);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.equals("42501")) {
            return new StartupException("role \"" + settings.user() + "\" may not create gonode's tables in database \""
                    + settings.databaseName() + "\" (" + PostgresSettings.USER_KEY + "): grant it the right"
                    + " (GRANT CREATE ON SCHEMA public TO \"" + settings.user() + "\") or run the node once as a role"
                    + " that owns the schema, so the migrations are applied", failure);
        }
        return new StartupException("cannot migrate gonode's schema in database \"" + settings.databaseName()
                + "\" at " + settings.redactedUrl() + ": " + describe(sql == null ? failure : sql), failure);
    }

    private static SQLException firstSqlException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "no details";
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t instanceof SQLException s && s.getSQLState() != null
                ? message + " [SQLSTATE " + s.getSQLState() + "]" : message;
    }
}
