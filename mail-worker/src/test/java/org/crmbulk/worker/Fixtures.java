package org.crmbulk.worker;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.SendJobs;
import org.crmbulk.testing.CrmStackResource;

/** Test data written as api-service would write it, and the job it would publish. */
final class Fixtures {

    private Fixtures() {
    }

    static Connection db() throws SQLException {
        return DriverManager.getConnection(System.getProperty(CrmStackResource.JDBC_URL),
                System.getProperty(CrmStackResource.JDBC_USER), System.getProperty(CrmStackResource.JDBC_PASSWORD));
    }

    static long contact(String email, String firstName, boolean optedOut) throws SQLException {
        return insert("INSERT INTO contact (email, first_name, opted_out) VALUES (?, ?, ?) RETURNING id", email, firstName, optedOut);
    }

    static long list(String name, long... contactIds) throws SQLException {
        long id = insert("INSERT INTO marketing_list (name) VALUES (?) RETURNING id", name);
        for (long c : contactIds) {
            update("INSERT INTO list_member (list_id, contact_id) VALUES (?, ?)", id, c);
        }
        return id;
    }

    /** A bulk action with its first content version, as api-service creates one. */
    static long bulkAction(String subject, String body) throws SQLException {
        long id = insert("INSERT INTO bulk_action (name) VALUES (?) RETURNING id", "test action");
        long version = insert("""
                INSERT INTO bulk_action_version (bulk_action_id, version, from_address, subject_template, text_template, create_activity)
                VALUES (?, 1, ?, ?, ?, false) RETURNING id""", id, "news@shop.example.cz", subject, body);
        update("UPDATE bulk_action SET current_version_id = ? WHERE id = ?", version, id);
        return id;
    }

    /** A launch accepted now: it froze the action's current content. */
    static long queuedLaunch(long bulkActionId, long... listIds) throws SQLException {
        long id = insert("""
                INSERT INTO launch (bulk_action_id, content_version_id, status)
                SELECT id, current_version_id, 'QUEUED' FROM bulk_action WHERE id = ? RETURNING id""", bulkActionId);
        for (long l : listIds) {
            update("INSERT INTO launch_list (launch_id, list_id, list_name) SELECT ?, id, name FROM marketing_list WHERE id = ?", id, l);
        }
        return id;
    }

    /** Publishes the job as api-service's outbox would; returns where it landed. */
    static RecordMetadata publish(SendJobV1 job) {
        Properties p = new Properties();
        p.put("bootstrap.servers", System.getProperty(CrmStackResource.KAFKA));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(SendJobs.DEFAULT_TOPIC, job.key(), SendJobs.toJson(job))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the worker's consumer group has committed past these records: the worker has handled them. */
    static void awaitHandled(RecordMetadata... records) {
        Properties p = new Properties();
        p.put("bootstrap.servers", System.getProperty(CrmStackResource.KAFKA));
        try (Admin admin = Admin.create(p)) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(200))
                    .until(() -> {
                        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("crm-mail-worker")
                                .partitionsToOffsetAndMetadata().get();
                        for (RecordMetadata r : records) {
                            OffsetAndMetadata c = committed.get(new TopicPartition(r.topic(), r.partition()));
                            if (c == null || c.offset() <= r.offset()) {
                                return false;
                            }
                        }
                        return true;
                    });
        }
    }

    static Map<String, Object> launch(long id) throws SQLException {
        return rows("SELECT * FROM launch WHERE id = ?", id).get(0);
    }

    static List<Map<String, Object>> deliveries(long launchId) throws SQLException {
        return rows("SELECT * FROM delivery WHERE launch_id = ? ORDER BY id", launchId);
    }

    static List<Map<String, Object>> rows(String sql, Object... args) throws SQLException {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            try (ResultSet rs = s.executeQuery()) {
                List<Map<String, Object>> rows = new java.util.ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    /** A queued activity mail job of the participants task, as api-service writes it, for a new activity; no recipients yet. */
    static long mailJob(String mode, String subject, String body, String from) throws SQLException {
        long activity = insert("INSERT INTO activity (type, subject, status) VALUES ('MEETING', ?, 'PLANNED') RETURNING id", subject);
        return insert("""
                INSERT INTO mail_job (activity_id, task_id, mode, status, subject, text_body, from_address)
                VALUES (?, 'MAIL_PARTICIPANTS', ?, 'QUEUED', ?, ?, ?) RETURNING id""", activity, mode, subject, body, from);
    }

    static int update(String sql, Object... args) throws SQLException {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        }
    }

    static long insert(String sql, Object... args) throws SQLException {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
    }
}
