package org.crmbulk.worker.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The worker's readiness follows whether its SMTP relay accepts connections. */
class SmtpRelayHealthCheckTest {

    @Test
    void a_listening_relay_is_up_and_a_closed_port_is_down() throws Exception {
        SmtpRelayHealthCheck check = new SmtpRelayHealthCheck();
        check.host = "127.0.0.1";
        int closedPort;
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            check.port = relay.getLocalPort();
            closedPort = relay.getLocalPort();
            assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        }
        check.port = closedPort;
        HealthCheckResponse down = check.call();
        assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(down.getData().orElseThrow()).containsEntry("relay", "127.0.0.1:" + closedPort);
    }
}
