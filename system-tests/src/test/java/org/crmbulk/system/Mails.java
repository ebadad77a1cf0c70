package org.crmbulk.system;

import java.io.ByteArrayOutputStream;

import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;

/** Reading what the SMTP server received: the one place the system tests take a message apart. */
final class Mails {

    private Mails() {
    }

    /** The first To address, lower-cased. */
    static String recipient(MimeMessage m) {
        try {
            return m.getRecipients(Message.RecipientType.TO)[0].toString().toLowerCase();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String header(MimeMessage m, String name) {
        try {
            return m.getHeader(name)[0];
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text of every non-attachment part of this MIME type, concatenated. */
    static String parts(Part part, String type) throws Exception {
        if (part.isMimeType(type) && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
            return String.valueOf(part.getContent());
        }
        if (part.getContent() instanceof Multipart multipart) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < multipart.getCount(); i++) {
                all.append(parts(multipart.getBodyPart(i), type));
            }
            return all.toString();
        }
        return "";
    }

    /** The bytes of the attachment with this file name, or null. */
    static byte[] attachment(Part part, String filename) {
        try {
            if (filename.equals(part.getFileName())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                part.getDataHandler().writeTo(out);
                return out.toByteArray();
            }
            if (part.getContent() instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    byte[] found = attachment(multipart.getBodyPart(i), filename);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sum of a Prometheus metric over its series that carry all the given labels (e.g. {@code mode="launch"}). */
    static double metric(ServiceProcess service, String name, String... labels) {
        String body = io.restassured.RestAssured.given().baseUri(service.baseUrl()).get("/q/metrics")
                .then().statusCode(200).extract().asString();
        return body.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(label -> l.substring(0, l.lastIndexOf(' ')).contains(label)))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
