package org.crmbulk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The returned messages of the corpus (resources/bounces, see its README), with their placeholders filled in, in CRLF lines. */
public final class BounceCorpus {

    private BounceCorpus() {
    }

    /** {@code values}: recipient, returnPath, messageId. */
    public static byte[] fixture(String name, Map<String, String> values) {
        try (InputStream in = BounceCorpus.class.getResourceAsStream("/bounces/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no such fixture: " + name);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (Map.Entry<String, String> v : values.entrySet()) {
                text = text.replace("${" + v.getKey() + "}", v.getValue());
            }
            return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] fixture(String name, String recipient, String returnPath, String messageId) {
        return fixture(name, Map.of("recipient", recipient, "returnPath", returnPath, "messageId", messageId));
    }
}
