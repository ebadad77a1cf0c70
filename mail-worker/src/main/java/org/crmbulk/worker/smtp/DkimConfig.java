package org.crmbulk.worker.smtp;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The DKIM keys of the sender domains: {@code domain:selector:/path/to/key.pem,...} (PKCS#8 PEM, e.g. a mounted Secret). */
@ConfigMapping(prefix = "crm.dkim")
public interface DkimConfig {

    /** None: messages go out unsigned (a local relay that signs them itself, or a demo). */
    Optional<String> keys();
}
