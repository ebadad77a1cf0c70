package org.crmbulk.system;

import static io.restassured.RestAssured.given;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After a failed test, cancels every launch of the run's stack that is not final: a launch a failed test left sending
 * (its worker killed, its relay gone) would otherwise be taken over by the next worker and run into the tests after it.
 * Registered for every system test (junit-platform.properties, extension autodetection); a passing test is left alone.
 */
public class CancelLeftoverLaunches implements AfterEachCallback {

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Stack stack = Stack.startedOrNull();
        if (context.getExecutionException().isEmpty() || stack == null) {
            return;
        }
        List<Long> unfinished = new ArrayList<>();
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT id FROM launch WHERE status NOT IN (" + SystemApi.FINAL.stream().map(s -> "'" + s + "'")
                        .collect(Collectors.joining(", ")) + ") ORDER BY id")) {
            while (rs.next()) {
                unfinished.add(rs.getLong(1));
            }
        }
        for (long id : unfinished) {
            int status = given().post("/api/v1/launches/{id}/cancel", id).then().extract().statusCode();
            System.out.printf("%s failed: its leftover launch %d cancelled (HTTP %d)%n", context.getDisplayName(), id, status);
        }
    }
}
