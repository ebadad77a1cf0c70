package org.crmbulk.contract.template;

import java.util.Set;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The plain-text alternative of an HTML body, read by a real HTML parser (Jsoup): entities decoded,
 * blocks on their own lines, list items as "- ", table cells apart, links as "text (url)".
 */
final class HtmlText {

    private static final Set<String> BLOCKS = Set.of("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table",
            "tr", "blockquote", "section", "article", "header", "footer", "pre", "hr", "dl", "dt", "dd", "address", "main",
            "nav", "aside", "figure", "figcaption", "form", "fieldset", "tbody", "thead", "tfoot", "caption");

    private HtmlText() {
    }

    static String of(String html) {
        StringBuilder out = new StringBuilder(html.length() / 2);
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode text) {
                    append(out, inPre(text) ? text.getWholeText() : text.getWholeText().replaceAll("\\s+", " "));
                } else if (node instanceof Element e) {
                    String tag = e.normalName();
                    if (tag.equals("br")) {
                        out.append('\n');
                    } else if (tag.equals("li")) {
                        newLine(out);
                        out.append("- ");
                    } else if ((tag.equals("td") || tag.equals("th")) && e.elementSiblingIndex() > 0) {
                        out.append('\t');
                    } else if (tag.equals("img") && !e.attr("alt").isBlank()) {
                        append(out, e.attr("alt"));
                    } else if (BLOCKS.contains(tag)) {
                        newLine(out);
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element e) {
                    String tag = e.normalName();
                    if (tag.equals("a")) {
                        String href = e.attr("href").trim();
                        if (!href.isEmpty() && !href.startsWith("#") && !href.equals(e.text().trim())) {
                            out.append(" (").append(href.startsWith("mailto:") ? href.substring(7) : href).append(')');
                        }
                    } else if (BLOCKS.contains(tag) && !tag.equals("li")) {
                        newLine(out);
                    }
                }
            }
        }, Jsoup.parse(html).body());
        return out.toString().replace('\u00a0', ' ')
                .replaceAll("[ \\t]+\\n", "\n").replaceAll("\\n[ ]+", "\n").replaceAll("\\n{3,}", "\n\n").trim();
    }

    private static boolean inPre(TextNode text) {
        for (Node n = text.parent(); n != null; n = n.parent()) {
            if (n instanceof Element e && e.normalName().equals("pre")) {
                return true;
            }
        }
        return false;
    }

    // A space at the start of a line or after another space adds nothing to the text.
    private static void append(StringBuilder out, String text) {
        if (text.startsWith(" ") && (out.isEmpty() || out.charAt(out.length() - 1) == '\n' || out.charAt(out.length() - 1) == ' ')) {
            text = text.substring(1);
        }
        out.append(text);
    }

    private static void newLine(StringBuilder out) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
    }
}
