package org.crmbulk.worker.bounce;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where bounces and complaints come back, how they are read, and what they do to addresses and launches. */
@ConfigMapping(prefix = "crm.bounce")
public interface BounceConfig {

    /** The domain of the VERP return paths ({@code bounces+<token>@domain}); none: the envelope sender is the From address. */
    Optional<String> domain();

    /** The local part before the {@code +token}. */
    @WithDefault("bounces")
    String localPart();

    /** Soft bounces of one address within {@link #softWindow()} that suppress it. */
    @WithDefault("5")
    int softThreshold();

    @WithDefault("30d")
    Duration softWindow();

    /** How often received reports are read and the mailbox polled. */
    @WithDefault("10s")
    Duration pollInterval();

    Guardrail guardrail();

    Imap imap();

    /** A running launch pauses itself when, after {@link #minMessages()} sent, either share exceeds its limit. */
    interface Guardrail {
        @WithDefault("200")
        int minMessages();

        @WithDefault("8")
        double hardBouncePercent();

        @WithDefault("0.3")
        double complaintPercent();
    }

    /** The bounce mailbox; without a host there is none to poll (reports then arrive over HTTP only). */
    interface Imap {
        Optional<String> host();

        @WithDefault("993")
        int port();

        @WithDefault("true")
        boolean tls();

        Optional<String> username();

        Optional<String> password();

        @WithDefault("INBOX")
        String folder();

        /** Where understood messages are moved; a message not understood stays where it is, flagged. */
        @WithDefault("Processed")
        String processedFolder();

        /** Messages read per poll. */
        @WithDefault("100")
        int batchSize();
    }
}
