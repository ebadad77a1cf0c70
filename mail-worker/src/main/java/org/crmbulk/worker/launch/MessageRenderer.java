package org.crmbulk.worker.launch;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkus.qute.Engine;
import io.quarkus.qute.Results;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;

/** Merges a contact into a launch's subject and body (Qute); a value missing for one contact renders empty. */
@ApplicationScoped
public class MessageRenderer {

    private final Engine engine = Engine.builder()
            .addDefaults()
            .strictRendering(false)
            .addResultMapper(new io.quarkus.qute.ResultMapper() {
                @Override
                public boolean appliesTo(io.quarkus.qute.TemplateNode.Origin origin, Object result) {
                    return Results.isNotFound(result) || result == null;
                }

                @Override
                public String map(Object result, io.quarkus.qute.Expression expression) {
                    return "";
                }
            })
            .build();

    private final Map<String, Template> cache = new ConcurrentHashMap<>();

    public String render(String template, Map<String, Object> contact) {
        if (cache.size() > 1_000) {
            cache.clear();
        }
        return cache.computeIfAbsent(template, engine::parse).data("contact", contact).render();
    }
}
