package org.crmbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.LaunchStatus;
import org.crmbulk.contract.status.MailJobStatus;
import org.crmbulk.contract.status.TestSendStatus;
import org.crmbulk.contract.status.WorkStatus;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The schema's CHECK constraints allow exactly the statuses mail-contract's enums define, and open work is what the enums say. */
@QuarkusTest
class StatusConstraintsTest {

    @Test
    void every_status_check_lists_exactly_the_enums_values() throws Exception {
        Map<String, Enum<?>[]> checks = Map.of("launch_status", LaunchStatus.values(), "delivery_status", DeliveryStatus.values(),
                "mail_job_status", MailJobStatus.values(), "test_send_status", TestSendStatus.values(),
                "work_lease_work_kind_check", SendJobV1.Kind.values());
        checks.forEach((constraint, values) -> {
            try {
                String definition = (String) Fixtures.rows("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = ?",
                        constraint).get(0).get("def");
                assertThat(quoted(definition)).as(constraint)
                        .isEqualTo(new LinkedHashSet<>(Arrays.stream(values).map(Enum::name).toList()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void open_work_holds_exactly_the_open_statuses_of_each_kind_and_says_which_are_started() throws Exception {
        long action = Fixtures.bulkAction("S", "B");
        try (Connection c = Fixtures.db()) {
            c.setAutoCommit(false);
            try {
                long activity = id(c, "INSERT INTO activity (type, subject, status) VALUES ('CALL', 'S', 'PLANNED') RETURNING id");
                for (LaunchStatus s : LaunchStatus.values()) {
                    long id = id(c, "INSERT INTO launch (bulk_action_id, content_version_id, status) SELECT id, current_version_id, '" + s
                            + "' FROM bulk_action WHERE id = " + action + " RETURNING id");
                    assertOpenWork(c, SendJobV1.Kind.LAUNCH, id, s);
                }
                for (MailJobStatus s : MailJobStatus.values()) {
                    long id = id(c, "INSERT INTO mail_job (activity_id, task_id, mode, status, subject, from_address) VALUES (" + activity
                            + ", 'T', 'INDIVIDUAL', '" + s + "', 'S', 'a@b.cz') RETURNING id");
                    assertOpenWork(c, SendJobV1.Kind.ACTIVITY_MAIL, id, s);
                }
                for (TestSendStatus s : TestSendStatus.values()) {
                    long id = id(c, "INSERT INTO test_send (bulk_action_id, content_version_id, addresses, status) SELECT id, current_version_id, "
                            + "ARRAY['a@b.cz'], '" + s + "' FROM bulk_action WHERE id = " + action + " RETURNING id");
                    assertOpenWork(c, SendJobV1.Kind.TEST_SEND, id, s);
                }
            } finally {
                c.rollback();
            }
        }
    }

    private static void assertOpenWork(Connection c, SendJobV1.Kind kind, long id, WorkStatus status) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT started FROM open_work WHERE work_kind = ? AND work_id = ?")) {
            s.setString(1, kind.name());
            s.setLong(2, id);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as(kind + " " + status + " open").isEqualTo(status.isOpen());
                if (status.isOpen()) {
                    assertThat(rs.getBoolean("started")).as(kind + " " + status + " started").isEqualTo(status.isStarted());
                }
            }
        }
    }

    private static long id(Connection c, String insert) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(insert)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<String> quoted(String sql) {
        Set<String> values = new LinkedHashSet<>();
        Matcher m = Pattern.compile("'([A-Z_]+)'").matcher(sql);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }
}
