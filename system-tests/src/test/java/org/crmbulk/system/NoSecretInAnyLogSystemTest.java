package org.crmbulk.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other system test: no credential handed to any service in this run (the database role's
 * random password, the relay passwords, right and wrong) appears in the log of any service process of any
 * scenario, those that were refused or failed to start included.
 */
@Order(Integer.MAX_VALUE)
class NoSecretInAnyLogSystemTest {

    @Test
    void no_secret_reaches_any_services_log() throws Exception {
        Stack.shared();
        assertThat(Secrets.all()).as("the run's database password is a secret of its own").isNotEmpty();
        Path logs = ServiceProcess.ALL_LOGS;
        List<Path> files;
        try (Stream<Path> all = Files.walk(logs)) {
            files = all.filter(f -> f.toString().endsWith(".log")).toList();
        }
        assertThat(files).as("service logs of this run").isNotEmpty();
        for (Path file : files) {
            String log = Files.readString(file);
            for (String secret : Secrets.all()) {
                assertThat(log).as(file.getFileName() + " must not contain a credential").doesNotContain(secret);
            }
        }
    }
}
