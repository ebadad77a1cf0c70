package org.crmbulk.api.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Sizes a caller may ask for; beyond them a request is refused whole (422), before anything is written. */
@ConfigMapping(prefix = "crm.api.limits")
public interface Limits {

    /** Members of the launched lists together (their member counts summed, so a contact on two lists counts twice). */
    @WithDefault("5000000")
    long maxLaunchRecipients();

    /** Recipients (to, cc and bcc together) of one activity mail task. */
    @WithDefault("100")
    int maxMailTaskRecipients();
}
