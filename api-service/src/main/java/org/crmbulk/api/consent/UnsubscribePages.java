package org.crmbulk.api.consent;

import java.util.stream.Collectors;

import org.crmbulk.contract.Html;

/**
 * The public pages, in Czech or English: plain HTML that works without JavaScript, a form that POSTs to the page's
 * own address, nothing loaded from elsewhere. Whatever came from data (list names) is escaped.
 */
public final class UnsubscribePages {

    private UnsubscribePages() {
    }

    public static String confirm(Unsubscribes.Target t, boolean czech) {
        StringBuilder form = new StringBuilder("<form method=\"post\">\n<fieldset>\n<legend>")
                .append(czech ? "Co chcete odhlásit?" : "What do you want to leave?").append("</legend>\n");
        if (!t.lists().isEmpty()) {
            String names = t.lists().stream().map(l -> Html.escape(l.name() == null ? "#" + l.id() : l.name())).collect(Collectors.joining(", "));
            form.append("<p><input type=\"radio\" id=\"scope-lists\" name=\"scope\" value=\"LISTS\">\n<label for=\"scope-lists\">")
                    .append(czech ? "Jen tento seznam: " : "Only this list: ").append(names).append("</label></p>\n");
        }
        form.append("<p><input type=\"radio\" id=\"scope-all\" name=\"scope\" value=\"ALL\" checked>\n<label for=\"scope-all\">")
                .append(czech ? "Všechny marketingové e-maily" : "All marketing e-mails").append("</label></p>\n</fieldset>\n")
                .append("<p><button type=\"submit\">").append(czech ? "Odhlásit odběr" : "Unsubscribe").append("</button></p>\n</form>");
        return page(czech, czech ? "Odhlášení odběru" : "Unsubscribe",
                "<p>" + (czech ? "Chcete přestat dostávat e-maily na adresu " : "Do you want to stop receiving e-mails at ")
                        + "<strong>" + Html.escape(masked(t.email())) + "</strong>?</p>\n" + form);
    }

    public static String done(Unsubscribes.Scope scope, boolean czech) {
        String what = scope == Unsubscribes.Scope.LISTS
                ? (czech ? "Z tohoto seznamu vám už další e-maily nepošleme." : "You will get no more e-mails from this list.")
                : (czech ? "Žádné další marketingové e-maily vám už nepošleme." : "You will get no more marketing e-mails from us.");
        return page(czech, czech ? "Odběr je odhlášen" : "You are unsubscribed", "<p>" + what + "</p>");
    }

    public static String notFound(boolean czech) {
        return page(czech, czech ? "Odkaz není platný" : "This link is not valid",
                "<p>" + (czech ? "Tento odkaz neznáme." : "We do not know this link.") + "</p>");
    }

    public static String badRequest(boolean czech) {
        return page(czech, czech ? "Požadavku nerozumíme" : "Request not understood",
                "<p>" + (czech ? "Použijte prosím tlačítko na stránce odkazu." : "Please use the button on the link's page.") + "</p>");
    }

    public static String tooMany(boolean czech) {
        return page(czech, czech ? "Příliš mnoho požadavků" : "Too many requests",
                "<p>" + (czech ? "Zkuste to prosím za chvíli znovu." : "Please try again in a moment.") + "</p>");
    }

    /** {@code j***@example.cz}: enough for its owner to recognise, little for anyone else. */
    static String masked(String email) {
        int at = email.lastIndexOf('@');
        return at <= 0 ? "***" : email.charAt(0) + "***" + email.substring(at);
    }

    private static String page(boolean czech, String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"" + (czech ? "cs" : "en") + "\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n"
                + "<title>" + title + "</title>\n<style>body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;color:#1a1a1a;"
                + "background:#ffffff}button{font-size:1em;padding:.5em 1.2em;color:#ffffff;background:#1f4e9a;border:0;border-radius:4px}"
                + "button:focus{outline:3px solid #f0a000}fieldset{border:1px solid #767676}</style>\n</head>\n<body>\n<main>\n<h1>"
                + title + "</h1>\n" + body + "\n</main>\n</body>\n</html>\n";
    }
}
