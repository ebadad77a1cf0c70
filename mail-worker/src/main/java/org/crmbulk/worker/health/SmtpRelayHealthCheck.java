package org.crmbulk.worker.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/** Ready only while the SMTP relay accepts TCP connections: a worker that cannot reach it can send nothing. */
@Readiness
@ApplicationScoped
public class SmtpRelayHealthCheck implements HealthCheck {

    @ConfigProperty(name = "quarkus.mailer.host", defaultValue = "127.0.0.1")
    String host;

    @ConfigProperty(name = "quarkus.mailer.port", defaultValue = "25")
    int port;

    @Override
    public HealthCheckResponse call() {
        String relay = host + ":" + port;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
            return HealthCheckResponse.named("SMTP relay").up().withData("relay", relay).build();
        } catch (IOException e) {
            return HealthCheckResponse.named("SMTP relay").down().withData("relay", relay)
                    .withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
