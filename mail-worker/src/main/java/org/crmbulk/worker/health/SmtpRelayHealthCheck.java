package org.crmbulk.worker.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.crmbulk.worker.smtp.RelayConfig;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/** Ready only while the SMTP relay accepts TCP connections: a worker that cannot reach it can send nothing. */
@Readiness
@ApplicationScoped
public class SmtpRelayHealthCheck implements HealthCheck {

    private final RelayConfig relay;

    public SmtpRelayHealthCheck(RelayConfig relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        String label = relay.label();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(relay.host(), relay.port()), 2_000);
            return HealthCheckResponse.named("SMTP relay").up().withData("relay", label).build();
        } catch (IOException e) {
            return HealthCheckResponse.named("SMTP relay").down().withData("relay", label)
                    .withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
