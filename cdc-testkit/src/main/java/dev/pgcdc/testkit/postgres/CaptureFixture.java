package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a capture test needs on the shared PostgreSQL, named for it alone and dropped after each
 * test: a table name, a publication name and a slot name (the test or the code under test creates
 * them), more table and role names on request, and optionally a whole database of its own. Register
 * it as an instance field, so that every test gets new names:
 *
 * <pre>{@code
 * class OrdersIT {
 *     @RegisterExtension
 *     final CaptureFixture capture = CaptureFixture.named("orders");
 *
 *     @Test
 *     void streamsInserts() {
 *         capture.db().execute("CREATE TABLE " + capture.table() + " (id int PRIMARY KEY)");
 *         // ... a source on capture.publication() and capture.slot() ...
 *     }
 * }
 * }</pre>
 *
 * <p>After each test, whether it passed or not: the slot is dropped (its walsender terminated
 * first, since an active slot cannot be dropped), then the publication, the tables and the roles;
 * a database of its own is dropped with {@code FORCE}. Everything is dropped {@code IF EXISTS}, so
 * a test need not have created all of it. Not thread-safe: one test at a time per instance.
 */
public final class CaptureFixture implements BeforeEachCallback, AfterEachCallback {

    private final String table;
    private final String publication;
    private final String slot;
    private final String ownDatabasePrefix;
    private final List<String> tables = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();
    private PostgresDatabase database;

    private CaptureFixture(String tablePrefix, String ownDatabasePrefix) {
        this.table = TestNames.unique(tablePrefix);
        this.publication = TestNames.unique("pub");
        this.slot = TestNames.unique("slot");
        this.ownDatabasePrefix = ownDatabasePrefix;
        tables.add(table);
    }

    /** Names in the shared database; the table's name starts with {@code tablePrefix}. */
    public static CaptureFixture named(String tablePrefix) {
        return new CaptureFixture(tablePrefix, null);
    }

    /**
     * Names in a new database created before each test on the shared server and dropped after it,
     * for a test that changes database settings or publishes {@code FOR ALL TABLES}.
     */
    public static CaptureFixture inOwnDatabase(String tablePrefix) {
        return new CaptureFixture(tablePrefix, tablePrefix + "_db");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (ownDatabasePrefix != null) {
            database = TestPostgres.shared().createDatabase(TestNames.unique(ownDatabasePrefix));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (database == null) {
            return;
        }
        database.dropReplicationSlotIfExists(slot);
        if (ownDatabasePrefix != null) {
            TestPostgres.shared().execute("DROP DATABASE IF EXISTS " + database.database() + " WITH (FORCE)");
            database = null;
        } else {
            database.execute("DROP PUBLICATION IF EXISTS " + publication);
            tables.forEach(name -> database.execute("DROP TABLE IF EXISTS " + name + " CASCADE"));
        }
        // roles are per server: after what they own (the publication a source created as that role)
        roles.forEach(role -> TestPostgres.shared().execute("DROP ROLE IF EXISTS " + role));
    }

    /**
     * The database the names live in: the shared one (started on first use), or during a test of
     * {@link #inOwnDatabase} the test's own.
     */
    public PostgresDatabase db() {
        if (database == null) {
            if (ownDatabasePrefix != null) {
                throw new TestEnvironmentException("the fixture's own database exists only during a test: register the fixture with"
                        + " @RegisterExtension and call db() from a test or a @BeforeEach method, not a field initializer");
            }
            database = TestPostgres.shared();
        }
        return database;
    }

    /** The test's table: {@code <tablePrefix>_<unique suffix>}, in schema {@code public}. */
    public String table() {
        return table;
    }

    /** Another table name of this test, starting with {@code prefix}, dropped after the test like {@link #table()}. */
    public String table(String prefix) {
        return remembered(tables, prefix);
    }

    public String publication() {
        return publication;
    }

    public String slot() {
        return slot;
    }

    /** A role name of this test, starting with {@code prefix}; the role is dropped after the test. */
    public String role(String prefix) {
        return remembered(roles, prefix);
    }

    private static String remembered(List<String> toDrop, String prefix) {
        String name = TestNames.unique(prefix);
        toDrop.add(name);
        return name;
    }
}
