package org.crmbulk.worker.config;

import io.smallrye.config.ConfigMapping;

/** Where recipients leave: the same settings as api-service's, which answers the links this worker writes. */
@ConfigMapping(prefix = "crm.consent")
public interface ConsentConfig {

    /** The address recipients reach the public pages at (not the API's internal one). */
    String publicBaseUrl();

    /** {@code id=secret,...}: the first signs unsubscribe links, all verify (see UnsubscribeTokens). */
    String unsubscribeKeys();

    /** The key of the hashes the suppression list keeps of erased addresses (see ErasureKey); the same as api-service's. */
    String erasureKey();
}
