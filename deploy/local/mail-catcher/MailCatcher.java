import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;

/**
 * The demo's mail catcher: GreenMail keeps every message it accepts over SMTP; a small HTTP API
 * shows them. GET /messages lists them as JSON, GET /messages/{n} returns message n as .eml,
 * DELETE /messages empties the catcher.
 * Run: java -cp 'libs/*' MailCatcher.java SMTP_PORT HTTP_PORT
 */
public class MailCatcher {

    public static void main(String[] args) throws Exception {
        int smtpPort = Integer.parseInt(args[0]);
        int httpPort = Integer.parseInt(args[1]);
        GreenMail greenMail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        greenMail.start();

        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", httpPort), 0);
        http.createContext("/messages", exchange -> {
            try {
                handle(greenMail, exchange);
            } catch (Exception e) {
                send(exchange, 500, "text/plain", String.valueOf(e).getBytes(StandardCharsets.UTF_8));
            }
        });
        http.start();
        System.out.println("mail catcher: SMTP 127.0.0.1:" + smtpPort + ", HTTP http://127.0.0.1:" + httpPort + "/messages");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.stop(0);
            greenMail.stop();
        }));
        Thread.currentThread().join();
    }

    private static void handle(GreenMail greenMail, HttpExchange exchange) throws Exception {
        MimeMessage[] messages = greenMail.getReceivedMessages();
        String path = exchange.getRequestURI().getPath();
        if ("DELETE".equals(exchange.getRequestMethod())) {
            greenMail.purgeEmailFromAllMailboxes();
            send(exchange, 204, "text/plain", new byte[0]);
            return;
        }
        if (path.matches("/messages/\\d+")) {
            int n = Integer.parseInt(path.substring("/messages/".length()));
            if (n < 0 || n >= messages.length) {
                send(exchange, 404, "text/plain", "no such message".getBytes(StandardCharsets.UTF_8));
                return;
            }
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            messages[n].writeTo(raw);
            send(exchange, 200, "message/rfc822", raw.toByteArray());
            return;
        }
        StringBuilder json = new StringBuilder("{\"count\":").append(messages.length).append(",\"messages\":[");
        for (int i = 0; i < messages.length; i++) {
            MimeMessage m = messages[i];
            json.append(i == 0 ? "" : ",").append("{\"n\":").append(i)
                    .append(",\"from\":").append(quote(join(m.getFrom())))
                    .append(",\"to\":").append(quote(join(m.getRecipients(Message.RecipientType.TO))))
                    .append(",\"subject\":").append(quote(m.getSubject()))
                    .append(",\"messageId\":").append(quote(m.getMessageID()))
                    .append(",\"receivedAt\":").append(quote(String.valueOf(m.getReceivedDate() == null ? m.getSentDate() : m.getReceivedDate())))
                    .append('}');
        }
        send(exchange, 200, "application/json", json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String join(Address[] addresses) {
        return addresses == null ? "" : String.join(", ", Arrays.stream(addresses).map(Address::toString).toList());
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type + (type.startsWith("text") || type.endsWith("json") ? "; charset=utf-8" : ""));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
