package org.crmbulk.contract.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkus.qute.Engine;
import io.quarkus.qute.Expression;
import io.quarkus.qute.ResultMapper;
import io.quarkus.qute.Results;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;

/**
 * Subject and body templates (Qute) of bulk actions: api-service checks them when they are saved and
 * renders previews, mail-worker renders every message: both through this class, so what was
 * accepted is what gets sent. Merge fields are {@code {contact.<field>}} and
 * {@code {contact.custom.<name>}}; a value missing for one contact renders empty. In HTML bodies
 * merged values are HTML-escaped.
 */
public final class MessageTemplates {

    /** The contact fields a template may use; {@code custom} takes any name after it. */
    public static final Set<String> CONTACT_FIELDS = Set.of("id", "externalId", "email", "firstName", "lastName", "company",
            "language", "custom");

    private static final Engine TEXT = engine(false);
    private static final Engine HTML = engine(true);
    private static final Map<String, Template> TEXT_CACHE = new ConcurrentHashMap<>();
    private static final Map<String, Template> HTML_CACHE = new ConcurrentHashMap<>();

    private MessageTemplates() {
    }

    /** A problem found in a template, with its place (1-based line and column). */
    public record Problem(int line, int column, String reason) {
    }

    public static List<Problem> check(String template) {
        if (template == null) {
            return List.of();
        }
        Template parsed;
        try {
            parsed = TEXT.parse(template);
        } catch (TemplateException e) {
            int line = e.getOrigin() == null ? 1 : e.getOrigin().getLine();
            int column = e.getOrigin() == null ? 1 : e.getOrigin().getLineCharacterStart();
            return List.of(new Problem(line, column, "syntax error: " + e.getMessage()));
        }
        List<Problem> problems = new ArrayList<>();
        for (Expression expression : parsed.getExpressions()) {
            if (expression.isLiteral()) {
                continue;
            }
            List<Expression.Part> parts = expression.getParts();
            String first = parts.isEmpty() ? "" : parts.get(0).getName();
            String reason = null;
            if (!"contact".equals(first)) {
                reason = "unknown field '" + expression.toOriginalString() + "': merge fields are contact." + CONTACT_FIELDS;
            } else if (parts.size() < 2 || !CONTACT_FIELDS.contains(parts.get(1).getName())) {
                reason = "unknown field '" + expression.toOriginalString() + "': contact has " + CONTACT_FIELDS;
            } else if ("custom".equals(parts.get(1).getName()) && parts.size() != 3) {
                reason = "'" + expression.toOriginalString() + "': name one custom field, as contact.custom.city";
            }
            if (reason != null) {
                problems.add(new Problem(expression.getOrigin().getLine(), expression.getOrigin().getLineCharacterStart(), reason));
            }
        }
        return problems;
    }

    public static String renderText(String template, Map<String, Object> contact) {
        return render(TEXT, TEXT_CACHE, template, contact);
    }

    public static String renderHtml(String template, Map<String, Object> contact) {
        return render(HTML, HTML_CACHE, template, contact);
    }

    /** The plain-text part generated for an HTML-only body. */
    public static String textFromHtml(String html) {
        String text = html.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", "")
                .replaceAll("(?i)<br\\s*/?>", "\n")
                .replaceAll("(?i)</(p|div|h[1-6]|li|tr)>", "\n")
                .replaceAll("(?i)<li[^>]*>", "- ")
                .replaceAll("<[^>]+>", "")
                .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
        return text.replaceAll("[ \\t]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").trim();
    }

    private static String render(Engine engine, Map<String, Template> cache, String template, Map<String, Object> contact) {
        if (cache.size() > 1_000) {
            cache.clear();
        }
        return cache.computeIfAbsent(template, engine::parse).data("contact", contact).render();
    }

    private static Engine engine(boolean html) {
        return Engine.builder()
                .addDefaults()
                .strictRendering(false)
                .addResultMapper(new ResultMapper() {
                    @Override
                    public int getPriority() {
                        return 10;
                    }

                    @Override
                    public boolean appliesTo(io.quarkus.qute.TemplateNode.Origin origin, Object result) {
                        return Results.isNotFound(result) || result == null;
                    }

                    @Override
                    public String map(Object result, Expression expression) {
                        return "";
                    }
                })
                .addResultMapper(new ResultMapper() {
                    @Override
                    public boolean appliesTo(io.quarkus.qute.TemplateNode.Origin origin, Object result) {
                        return html && !(Results.isNotFound(result) || result == null);
                    }

                    @Override
                    public String map(Object result, Expression expression) {
                        return escape(result.toString());
                    }
                })
                .build();
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
