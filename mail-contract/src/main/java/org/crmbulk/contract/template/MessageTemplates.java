package org.crmbulk.contract.template;

import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import org.crmbulk.contract.Html;

import io.quarkus.qute.Engine;
import io.quarkus.qute.Expression;
import io.quarkus.qute.IfSectionHelper;
import io.quarkus.qute.LoopSectionHelper;
import io.quarkus.qute.ResultMapper;
import io.quarkus.qute.Results;
import io.quarkus.qute.SectionBlock;
import io.quarkus.qute.SectionNode;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.qute.TemplateNode;
import io.quarkus.qute.ValueResolvers;

/**
 * Subject and body templates (Qute) of bulk actions: api-service checks them when they are saved and
 * renders previews, mail-worker renders every message: both through this class, so what was
 * accepted is what gets sent. Templates are data, not code: {@link #check} accepts only merge fields
 * ({@code {contact.<field>}}, {@code {contact.custom.<name>}}, the product's variables), conditionals
 * ({@code {#if}}), loops over a merge field ({@code {#for}}, {@code {#each}}, nested at most
 * {@value #MAX_LOOP_DEPTH} deep) and the fallback operator {@code ?:}; no includes, inserts, eval,
 * namespaces or method calls. The engine itself knows nothing else, and rendering is bounded: a part
 * longer than its limit, or a loop over more than {@value #MAX_LOOP_ITEMS} items, is a render error.
 * A value missing for one contact renders empty; in HTML bodies merged values are HTML-escaped.
 */
public final class MessageTemplates {

    /** The contact fields a template may use; {@code custom} takes any name after it. */
    public static final Set<String> CONTACT_FIELDS = Set.of("id", "externalId", "email", "firstName", "lastName", "company",
            "language", "custom");

    /** The message's own unsubscribe link (campaign messages; a test send's works too). */
    public static final String UNSUBSCRIBE_URL = "unsubscribeUrl";

    /** Variables the product gives every template beside the contact. */
    public static final Set<String> PRODUCT_VARIABLES = Set.of(UNSUBSCRIBE_URL);

    public static final int MAX_LOOP_DEPTH = 2;
    public static final int MAX_LOOP_ITEMS = 100;

    private static final Set<String> SECTIONS = Set.of("if", "for", "each");
    private static final String DEFAULT_LOOP_ALIAS = "it";
    private static final Set<String> LOOP_METADATA = Set.of("count", "index", "indexParity", "hasNext", "isFirst", "isLast",
            "isOdd", "isEven", "odd", "even");
    /** The fallback operator: {@code {contact.firstName ?: 'customer'}} (Qute also spells it {@code or}). */
    private static final Set<String> METHODS = Set.of("?:", "or");

    private static final Engine TEXT = engine(false);
    private static final Engine HTML = engine(true);
    private static final Map<String, Parsed> TEXT_CACHE = new ConcurrentHashMap<>();
    private static final Map<String, Parsed> HTML_CACHE = new ConcurrentHashMap<>();

    private MessageTemplates() {
    }

    /** How many characters a rendered part may have; over it the message is not sent (a render error). */
    public record Limits(int subjectChars, int textChars, int htmlChars) {
        public static final Limits DEFAULT = new Limits(2_000, 2_000_000, 4_000_000);
    }

    /** What a template is rendered with: one contact's fields, and the product's variables for this message. */
    public record Merge(Map<String, Object> contact, Map<String, Object> variables) {
        public static Merge of(Map<String, Object> contact) {
            return new Merge(contact, Map.of());
        }
    }

    /** A problem found in a template, with its place (1-based line and column). */
    public record Problem(int line, int column, String reason) {
    }

    /** A template that cannot be rendered for this message: too long, a loop over too much, or a broken template. */
    public static final class RenderException extends RuntimeException {
        public RenderException(String reason) {
            super(reason);
        }
    }

    private record Parsed(Template template, boolean loops) {
    }

    /** Every construct the template uses that is not on the allow-list, with its place; empty when it may be saved. */
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
            String reason = e.getMessage() != null && e.getMessage().contains("no section helper found")
                    ? "only {#if}, {#for} and {#each} sections are allowed: " + e.getMessage()
                    : e.getMessage();
            return List.of(new Problem(line, column, "syntax error: " + reason));
        }
        List<Problem> problems = new ArrayList<>();
        walk(parsed.getRootNode().getBlocks().get(0).nodes, new ArrayDeque<>(), 0, problems);
        return problems;
    }

    private static void walk(List<TemplateNode> nodes, Deque<String> aliases, int loops, List<Problem> problems) {
        for (TemplateNode node : nodes) {
            if (node.isExpression()) {
                node.getExpressions().forEach(e -> checkExpression(e, aliases, problems));
            } else if (node.isSection()) {
                section(node.asSection(), aliases, loops, problems);
            }
        }
    }

    private static void section(SectionNode section, Deque<String> aliases, int loops, List<Problem> problems) {
        String name = section.getName();
        if (!SECTIONS.contains(name)) {
            problems.add(problem(section.getOrigin(), "the section {#" + name + "} is not allowed; use {#if}, {#for} or {#each}"));
            return;
        }
        boolean loop = !name.equals("if");
        if (loop && loops >= MAX_LOOP_DEPTH) {
            problems.add(problem(section.getOrigin(), "loops may nest at most " + MAX_LOOP_DEPTH + " deep"));
            return;
        }
        for (SectionBlock block : section.getBlocks()) {
            Deque<String> inner = aliases;
            if (loop && block.label.equals("$main")) {
                Expression iterable = block.expressions.get("iterable");
                if (iterable == null || iterable.isLiteral() || !iteratesMergeField(iterable, aliases)) {
                    problems.add(problem(block.origin, "a loop must go over a merge field (e.g. {#for item in contact.custom.items}), not '"
                            + block.parameters.get("iterable") + "'"));
                } else {
                    checkExpression(iterable, aliases, problems);
                }
                String alias = block.parameters.get("alias");
                inner = new ArrayDeque<>(aliases);
                inner.push(alias == null || alias.startsWith("$") ? DEFAULT_LOOP_ALIAS : alias);
            } else {
                block.expressions.values().forEach(e -> checkExpression(e, aliases, problems));
            }
            walk(block.nodes, inner, loop ? loops + 1 : loops, problems);
        }
    }

    private static boolean iteratesMergeField(Expression e, Deque<String> aliases) {
        List<Expression.Part> parts = e.getParts();
        if (parts.isEmpty() || e.hasNamespace()) {
            return false;
        }
        String first = parts.get(0).getName();
        return first.equals("contact") && parts.size() == 3 && parts.get(1).getName().equals("custom")
                || aliases.contains(first);
    }

    private static void checkExpression(Expression e, Deque<String> aliases, List<Problem> problems) {
        if (e.isLiteral()) {
            return;
        }
        if (e.hasNamespace()) {
            problems.add(problem(e.getOrigin(), "'" + e.toOriginalString() + "': namespaces (" + e.getNamespace()
                    + ":) are not allowed in templates"));
            return;
        }
        List<Expression.Part> parts = e.getParts();
        List<String> names = new ArrayList<>();
        for (Expression.Part part : parts) {
            if (part.isVirtualMethod()) {
                if (!METHODS.contains(part.getName()) || part.asVirtualMethod().getParameters().size() != 1) {
                    problems.add(problem(e.getOrigin(), "'" + e.toOriginalString() + "': method calls are not allowed; "
                            + "only the fallback 'value ?: other'"));
                    return;
                }
                part.asVirtualMethod().getParameters().forEach(p -> checkExpression(p, aliases, problems));
                break; // what follows the fallback is checked as its parameter
            }
            names.add(part.getName());
        }
        String reason = reference(names, aliases);
        if (reason != null) {
            problems.add(problem(e.getOrigin(), "'" + e.toOriginalString() + "': " + reason));
        }
    }

    /** Why a chain of names is not a merge field the product knows, or null when it is one. */
    private static String reference(List<String> names, Deque<String> aliases) {
        String first = names.isEmpty() ? "" : names.get(0);
        if (aliases.contains(first)) {
            return null;
        }
        for (String alias : aliases) {
            if (first.startsWith(alias + "_") && LOOP_METADATA.contains(first.substring(alias.length() + 1)) && names.size() == 1) {
                return null;
            }
        }
        if (PRODUCT_VARIABLES.contains(first)) {
            return names.size() == 1 ? null : "'" + first + "' has no fields";
        }
        if (!first.equals("contact")) {
            return "unknown field: merge fields are contact." + CONTACT_FIELDS
                    + (PRODUCT_VARIABLES.isEmpty() ? "" : " and " + PRODUCT_VARIABLES);
        }
        if (names.size() < 2 || !CONTACT_FIELDS.contains(names.get(1))) {
            return "unknown field: contact has " + CONTACT_FIELDS;
        }
        if (names.get(1).equals("custom") ? names.size() != 3 : names.size() != 2) {
            return names.get(1).equals("custom") ? "name one custom field, as contact.custom.city" : "contact fields have no fields";
        }
        return null;
    }

    private static Problem problem(TemplateNode.Origin origin, String reason) {
        return new Problem(origin.getLine(), origin.getLineCharacterStart(), reason);
    }

    /** The subject: one header line whatever the contact's fields hold. */
    public static String renderSubject(String template, Merge merge, Limits limits) {
        String subject = render(TEXT, TEXT_CACHE, template, merge, limits.subjectChars(), "subject");
        return subject.replaceAll("[\\r\\n\\t\\x00-\\x1f\\x7f]+", " ").trim();
    }

    public static String renderText(String template, Merge merge, Limits limits) {
        return render(TEXT, TEXT_CACHE, template, merge, limits.textChars(), "text body");
    }

    public static String renderHtml(String template, Merge merge, Limits limits) {
        return render(HTML, HTML_CACHE, template, merge, limits.htmlChars(), "HTML body");
    }

    /** The plain-text part generated for an HTML-only body (see {@link HtmlText}). */
    public static String textFromHtml(String html) {
        return HtmlText.of(html);
    }

    private static String render(Engine engine, Map<String, Parsed> cache, String template, Merge merge, int maxChars,
            String part) {
        if (cache.size() > 1_000) {
            cache.clear();
        }
        Parsed parsed;
        try {
            parsed = cache.computeIfAbsent(template, t -> {
                Template p = engine.parse(t);
                return new Parsed(p, !p.findNodes(n -> n.isSection() && SECTIONS.contains(n.asSection().getName())
                        && !n.asSection().getName().equals("if")).isEmpty());
            });
        } catch (TemplateException e) {
            throw new RenderException("the " + part + " template cannot be parsed: " + e.getMessage());
        }
        TemplateInstance instance = parsed.template().instance()
                .data("contact", parsed.loops() ? bounded(merge.contact()) : merge.contact());
        merge.variables().forEach(instance::data);
        StringBuilder out = new StringBuilder();
        try {
            instance.consume(chunk -> {
                if (out.length() + chunk.length() > maxChars) {
                    throw new RenderException("the " + part + " would be longer than " + maxChars + " characters");
                }
                out.append(chunk);
            }).toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            while (cause != null && !(cause instanceof RenderException) && cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw cause instanceof RenderException r ? r
                    : new RenderException("the " + part + " cannot be rendered: " + (cause == null ? e : cause).getMessage());
        }
        return out.toString();
    }

    /** The contact's data with every list over the loop limit replaced by one that refuses to be iterated. */
    @SuppressWarnings("unchecked")
    private static <T> T bounded(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new HashMap<>();
            map.forEach((k, v) -> copy.put(k, bounded(v)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            if (list.size() > MAX_LOOP_ITEMS) {
                return (T) new TooLong(list.size());
            }
            return (T) list.stream().map(MessageTemplates::bounded).toList();
        }
        return value;
    }

    private static final class TooLong extends AbstractList<Object> {
        private final int size;

        TooLong(int size) {
            this.size = size;
        }

        @Override
        public Object get(int index) {
            throw new RenderException("a loop over " + size + " items; templates loop over at most " + MAX_LOOP_ITEMS);
        }

        @Override
        public int size() {
            return size;
        }
    }

    // Only what the allow-list needs: the data map and map fields, truthiness for {#if}, the ?: fallback; sections if and for/each.
    private static Engine engine(boolean html) {
        return Engine.builder()
                .addSectionHelper(new IfSectionHelper.Factory())
                .addSectionHelper(new LoopSectionHelper.Factory())
                .addValueResolver(ValueResolvers.mapperResolver())
                .addValueResolver(ValueResolvers.mapResolver())
                .addValueResolver(ValueResolvers.orResolver())
                .addValueResolver(ValueResolvers.trueResolver())
                .addValueResolver(ValueResolvers.thisResolver())
                .strictRendering(false)
                .addResultMapper(new ResultMapper() {
                    @Override
                    public int getPriority() {
                        return 10;
                    }

                    @Override
                    public boolean appliesTo(TemplateNode.Origin origin, Object result) {
                        return Results.isNotFound(result) || result == null;
                    }

                    @Override
                    public String map(Object result, Expression expression) {
                        return "";
                    }
                })
                .addResultMapper(new ResultMapper() {
                    @Override
                    public boolean appliesTo(TemplateNode.Origin origin, Object result) {
                        return html && !(Results.isNotFound(result) || result == null);
                    }

                    @Override
                    public String map(Object result, Expression expression) {
                        return Html.escape(result.toString());
                    }
                })
                .build();
    }
}
