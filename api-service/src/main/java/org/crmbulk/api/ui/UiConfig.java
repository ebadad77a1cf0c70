package org.crmbulk.api.ui;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Who may embed the web components under /ui/: the same origins are allowed by CORS (see application.properties). */
@ConfigMapping(prefix = "crm.ui")
public interface UiConfig {

    /** Origins ({@code scheme://host[:port]}) of the ERP front-ends that load the components or frame the pages; none by default. */
    Optional<List<String>> allowedOrigins();
}
