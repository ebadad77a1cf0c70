package org.crmbulk.worker.smtp;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The SMTP relay, read in one place: the transport, the rate limiter, the metrics and the health check use it. */
@ConfigMapping(prefix = "mail.relay")
public interface RelayConfig {

    enum StartTls { DISABLED, OPTIONAL, REQUIRED }

    @WithDefault("127.0.0.1")
    String host();

    @WithDefault("25")
    int port();

    Optional<String> username();

    Optional<String> password();

    /** STARTTLS on a plain connection: not offered, used when the relay offers it, or required (no mail in clear). */
    @WithDefault("OPTIONAL")
    StartTls startTls();

    /** Implicit TLS from the first byte (SMTPS, port 465), rather than STARTTLS on a plain connection. */
    @WithDefault("false")
    boolean tls();

    /** Accept any relay certificate: only for a relay with a self-signed one on a trusted network. */
    @WithDefault("false")
    boolean trustAll();

    /** SMTP sessions kept open at most (and sender threads); fewer while the relay refuses more. */
    @WithDefault("16")
    int connections();

    /** After the relay last refused a session, how long until the pool may open one more, one at a time. */
    @WithDefault("30s")
    Duration sessionRegrowth();

    /** The relay as host:port: the key of its rate windows and the relay label of the mail metrics. */
    default String label() {
        return host() + ":" + port();
    }
}
