package org.crmbulk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    /** What a report of the corpus says of its failed recipient ({@code status} null where the report gives none). */
    public record Expected(String file, String kind, String format, String cls, String status) {
    }

    /** The expected reading of each report that names its recipient (resources/bounces/expected.csv). */
    public static List<Expected> expected() {
        try (InputStream in = BounceCorpus.class.getResourceAsStream("/bounces/expected.csv")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split("\\s*,\\s*")).map(f -> new Expected(f[0].trim(), f[1], f[2], f[3], "-".equals(f[4].trim()) ? null : f[4].trim()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] fixture(String name, String recipient, String returnPath, String messageId) {
        return fixture(name, Map.of("recipient", recipient, "returnPath", returnPath, "messageId", messageId));
    }
}
