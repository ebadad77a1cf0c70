package org.crmbulk.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.flywaydb.core.Flyway;

/**
 * A fresh PostgreSQL database for one test run, dropped on {@link #close()}. Uses the local server
 * (host, port, user and password from CRM_TEST_PG_HOST/PORT/USER/PASSWORD, defaults
 * 127.0.0.1:5432 crm/crm, then the trusted postgres role); where none answers and a Docker engine
 * runs, a Testcontainers PostgreSQL. Where the server's user may create roles, the database belongs to
 * a role of its own with a random password, so that tests can look for that password in the logs.
 */
public final class TestPostgres implements AutoCloseable {

    private final Server server;
    private final String database;
    private final String user;
    private final String password;

    private TestPostgres(Server server, String database, String user, String password) {
        this.server = server;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    public static TestPostgres createFreshDatabase() {
        Server server = Server.find();
        String id = UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        String database = "crm_test_" + id;
        server.execute("CREATE DATABASE " + database);
        String role = "crm_run_" + id;
        String password = "crm-run-" + UUID.randomUUID();
        try {
            server.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
            server.execute("GRANT " + role + " TO " + server.user);
            server.execute("ALTER DATABASE " + database + " OWNER TO " + role);
            return new TestPostgres(server, database, role, password);
        } catch (IllegalStateException cannotCreateRoles) {
            return new TestPostgres(server, database, server.user, server.password);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + server.host + ":" + server.port + "/" + database;
    }

    public String host() {
        return server.host;
    }

    public int port() {
        return server.port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** Applies the project's Flyway migrations, as api-service does at start. */
    public void migrate() {
        Flyway.configure().dataSource(jdbcUrl(), user, password).load().migrate();
    }

    @Override
    public void close() {
        server.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        if (!user.equals(server.user)) {
            server.execute("DROP ROLE IF EXISTS " + user);
        }
        server.close();
    }

    private static final class Server {
        final String host;
        final int port;
        final String user;
        final String password;
        final AutoCloseable container;

        Server(String host, int port, String user, String password, AutoCloseable container) {
            this.host = host;
            this.port = port;
            this.user = user;
            this.password = password;
            this.container = container;
        }

        static Server find() {
            String host = env("CRM_TEST_PG_HOST", "127.0.0.1");
            int port = Integer.parseInt(env("CRM_TEST_PG_PORT", "5432"));
            List<String[]> credentials = List.of(
                    new String[] {env("CRM_TEST_PG_USER", "crm"), env("CRM_TEST_PG_PASSWORD", "crm")},
                    new String[] {"postgres", ""});
            SQLException last = null;
            for (String[] c : credentials) {
                try (Connection ignored = DriverManager.getConnection(
                        "jdbc:postgresql://" + host + ":" + port + "/postgres?connectTimeout=3", c[0], c[1])) {
                    return new Server(host, port, c[0], c[1], null);
                } catch (SQLException e) {
                    last = e;
                }
            }
            if (DockerProbe.dockerAvailable()) {
                return DockerProbe.startContainer();
            }
            throw new IllegalStateException("The tests need PostgreSQL: none answers on " + host + ":" + port
                    + " (" + (last == null ? "" : last.getMessage()) + ") and no Docker engine runs."
                    + " Install and start PostgreSQL (Debian: apt-get install postgresql), or start Docker.");
        }

        void execute(String sql) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", user, password);
                 Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("PostgreSQL refused: " + sql, e);
            }
        }

        void close() {
            if (container != null) {
                try {
                    container.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }

    /** Testcontainers only where a Docker engine answers; never a requirement. */
    private static final class DockerProbe {
        static boolean dockerAvailable() {
            try {
                return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable e) {
                return false;
            }
        }

        static Server startContainer() {
            var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:15-alpine");
            container.start();
            return new Server(container.getHost(), container.getMappedPort(5432), container.getUsername(),
                    container.getPassword(), container);
        }
    }
}
