package org.crmbulk.api.bulkaction;

import org.crmbulk.contract.template.MessageTemplates;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long a rendered part may be (previews here; the worker reads the same settings for what it sends). */
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
