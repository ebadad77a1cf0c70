package org.crmbulk.api.consent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where recipients leave: the public pages' base URL, the keys of their links, and how often one client may call them. */
@ConfigMapping(prefix = "crm.consent")
public interface ConsentConfig {

    /** The address recipients reach the public pages at (not the API's internal one); the worker writes links with it. */
    String publicBaseUrl();

    /** {@code id=secret,...}: the first signs unsubscribe links, all verify (see UnsubscribeTokens). */
    String unsubscribeKeys();

    /** The key of the hashes the suppression list keeps of erased addresses (see ErasureKey); the same as the worker's. */
    String erasureKey();

    /** Requests to the public pages one client address may make per minute, on average. */
    @WithDefault("30")
    int publicPerMinute();

    /** How many of them may come at once. */
    @WithDefault("10")
    int publicBurst();
}
