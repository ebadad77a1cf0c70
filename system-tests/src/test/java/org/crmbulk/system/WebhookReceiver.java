package org.crmbulk.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real HTTP receiver outside the JVM (webhook-receiver.py): Python's http.server, and Python's hmac checking each
 * request's signature — an implementation nobody here wrote. Records every request as it arrives.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String secret;
    private final Process process;
    private final Path records;
    private final int port;

    WebhookReceiver() throws IOException, java.net.URISyntaxException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        records = Files.createTempFile("webhooks", ".jsonl");
        Path script = Path.of(WebhookReceiver.class.getResource("/webhook-receiver.py").toURI());
        process = new ProcessBuilder("python3", script.toString(), secret, records.toString()).redirectErrorStream(true).start();
        String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (first == null || !first.matches("\\d+")) {
            process.destroyForcibly();
            throw new IOException("the webhook receiver did not start: " + first);
        }
        port = Integer.parseInt(first);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Every request received so far: path, webhookId, verified, contentType, event (the CloudEvent). */
    List<JsonNode> received() {
        try {
            return Files.readAllLines(records, StandardCharsets.UTF_8).stream().filter(l -> l.endsWith("}")).map(l -> {
                try {
                    return JSON.readTree(l);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<JsonNode> received(String pathPrefix) {
        return received().stream().filter(r -> r.path("path").asText().startsWith(pathPrefix)).toList();
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(records);
    }
}
