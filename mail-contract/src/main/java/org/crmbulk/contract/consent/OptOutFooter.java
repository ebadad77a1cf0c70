package org.crmbulk.contract.consent;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The visible opt-out of a campaign message (Act No. 480/2004 Coll., section 7): appended to each part whose rendered
 * content does not already carry the message's unsubscribe link, in the contact's language (Czech or English).
 */
public final class OptOutFooter {

    private static final Pattern BODY_END = Pattern.compile("(?i)</body\\s*>");

    private OptOutFooter() {
    }

    public static boolean czech(Object language) {
        return language instanceof String s && s.toLowerCase(Locale.ROOT).startsWith("cs");
    }

    /** The text part, with the footer when it lacks the link. */
    public static String text(String text, String url, boolean czech) {
        if (text.contains(url)) {
            return text;
        }
        String line = czech ? "Tyto e-maily už nechcete dostávat? Odhlaste se: " : "No longer want these e-mails? Unsubscribe: ";
        return text + (text.endsWith("\n") ? "" : "\n") + "\n-- \n" + line + url + "\n";
    }

    /**
     * The HTML part, with the footer (before the closing body tag when there is one) unless it links to the URL itself:
     * the URL merely in the text, or in a comment, is not a way out anyone can click.
     */
    public static String html(String html, String url, boolean czech) {
        Matcher link = Pattern.compile("<a\\s[^>]*href\\s*=\\s*[\"']" + Pattern.quote(url) + "[\"']", Pattern.CASE_INSENSITIVE).matcher(html);
        while (link.find()) {
            if (html.lastIndexOf("<!--", link.start()) <= html.lastIndexOf("-->", link.start())) {
                return html; // a link outside any comment
            }
        }
        String footer = "<p style=\"font-size:12px;color:#555555\">" + (czech ? "Tyto e-maily už nechcete dostávat? " : "No longer want these e-mails? ")
                + "<a href=\"" + url + "\">" + (czech ? "Odhlásit odběr" : "Unsubscribe") + "</a></p>";
        Matcher end = BODY_END.matcher(html);
        int at = -1;
        while (end.find()) {
            at = end.start();
        }
        return at < 0 ? html + footer : html.substring(0, at) + footer + html.substring(at);
    }
}
