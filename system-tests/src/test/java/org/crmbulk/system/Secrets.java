package org.crmbulk.system;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every credential the run hands to a service, so that the last test can look for each one in every log. */
final class Secrets {

    private static final Set<String> USED = ConcurrentHashMap.newKeySet();

    private Secrets() {
    }

    /** Remembers a secret a service is given (short shared defaults such as "crm" say nothing when found, so not those). */
    static String used(String secret) {
        if (secret != null && secret.length() >= 12) {
            USED.add(secret);
        }
        return secret;
    }

    static Set<String> all() {
        return Set.copyOf(USED);
    }
}
