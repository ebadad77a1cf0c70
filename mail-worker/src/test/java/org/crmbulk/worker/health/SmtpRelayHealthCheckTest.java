package org.crmbulk.worker.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import org.crmbulk.worker.Configs;
import org.crmbulk.worker.smtp.RelayConfig;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;


/** The worker's readiness follows whether its SMTP relay accepts connections. */
class SmtpRelayHealthCheckTest {

    @Test
    void a_listening_relay_is_up_and_a_closed_port_is_down() throws Exception {
        int closedPort;
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = relay.getLocalPort();
            assertThat(check(closedPort).call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        }
        HealthCheckResponse down = check(closedPort).call();
        assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(down.getData().orElseThrow()).containsEntry("relay", "127.0.0.1:" + closedPort);
    }

    private static SmtpRelayHealthCheck check(int port) {
        RelayConfig relay = Configs.of(Map.of("mail.relay.host", "127.0.0.1", "mail.relay.port", String.valueOf(port)))
                .getConfigMapping(RelayConfig.class);
        return new SmtpRelayHealthCheck(relay);
    }
}
