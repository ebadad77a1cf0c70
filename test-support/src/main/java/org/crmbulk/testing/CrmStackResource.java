package org.crmbulk.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the real stack once per test module: a Kafka broker, a fresh PostgreSQL database and an
 * SMTP server, and points the service under test at them. Init arg {@code migrate=true} applies the
 * Flyway migrations first, for services that only validate the schema.
 */
public class CrmStackResource implements QuarkusTestResourceLifecycleManager {

    public static final String JDBC_URL = "crm.test.jdbc.url";
    public static final String JDBC_USER = "crm.test.jdbc.user";
    public static final String JDBC_PASSWORD = "crm.test.jdbc.password";
    public static final String KAFKA = "crm.test.kafka";

    private TestKafka kafka;
    private TestPostgres postgres;
    private TestSmtp smtp;
    private TestImap imap;
    private boolean migrate;

    @Override
    public void init(Map<String, String> initArgs) {
        migrate = Boolean.parseBoolean(initArgs.getOrDefault("migrate", "false"));
    }

    @Override
    public Map<String, String> start() {
        kafka = TestKafka.start();
        kafka.createTopics(4, "crm.mail.send-jobs");
        postgres = TestPostgres.createFreshDatabase();
        if (migrate) {
            postgres.migrate();
        }
        smtp = TestSmtp.start();
        Mailbox.attach(smtp);
        imap = TestImap.start();
        BounceMailbox.attach(imap);
        System.setProperty(JDBC_URL, postgres.jdbcUrl());
        System.setProperty(JDBC_USER, postgres.user());
        System.setProperty(JDBC_PASSWORD, postgres.password());
        System.setProperty(KAFKA, kafka.bootstrapServers());

        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        config.put("quarkus.datasource.username", postgres.user());
        config.put("quarkus.datasource.password", postgres.password());
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("mail.relay.host", "127.0.0.1");
        config.put("mail.relay.port", String.valueOf(smtp.port()));
        config.put("crm.bounce.imap.host", "127.0.0.1");
        config.put("crm.bounce.imap.port", String.valueOf(imap.port()));
        config.put("crm.bounce.imap.tls", "false");
        config.put("crm.bounce.imap.username", TestImap.USER);
        config.put("crm.bounce.imap.password", TestImap.PASSWORD);
        return config;
    }

    @Override
    public void stop() {
        if (smtp != null) {
            smtp.close();
        }
        if (imap != null) {
            imap.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
