package org.crmbulk.contract.template;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long a rendered part may be: one mapping for both services, so a preview is bounded as the send is. */
@ConfigMapping(prefix = "crm.templates")
public interface TemplateLimits {

    @WithDefault("2000")
    int maxSubjectChars();

    @WithDefault("2000000")
    int maxTextChars();

    @WithDefault("4000000")
    int maxHtmlChars();

    default MessageTemplates.Limits limits() {
        return new MessageTemplates.Limits(maxSubjectChars(), maxTextChars(), maxHtmlChars());
    }
}
