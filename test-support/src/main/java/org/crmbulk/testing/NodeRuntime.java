package org.crmbulk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Node.js and npx for the JavaScript tools the build runs (the contract's linter, browser tests), on a
 * machine that has only a JDK: the machine's own Node 18+ when it has one, else the official Node build
 * and npm that the npm registry publishes ({@code node-<os>-<arch>}, {@code npm}), each checked against
 * the registry's SHA-512 and kept under {@code ~/.cache/crm-bulk/}.
 */
public final class NodeRuntime {

    static final String NODE_VERSION = "20.19.5";
    static final String NPM_VERSION = "10.9.3";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20)).build();

    /** What a tool printed, and how it ended. */
    public record Result(int exitCode, String output) {
    }

    private NodeRuntime() {
    }

    /** Runs {@code npx --yes <args>} in {@code dir}, up to {@code timeout}. */
    public static Result npx(Path dir, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(npxCommand());
        command.add("--yes");
        command.addAll(List.of(args));
        Path log = Files.createTempFile("npx", ".log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("npx " + String.join(" ", args) + " did not finish in " + timeout);
        }
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        return new Result(process.exitValue(), output);
    }

    /** The command that starts npx: the machine's, or node with the npm package's npx-cli.js. */
    static synchronized List<String> npxCommand() throws IOException, InterruptedException {
        if (machineHasNode()) {
            return List.of("npx");
        }
        Path home = Path.of(System.getProperty("user.home"), ".cache", "crm-bulk");
        Path node = unpack(home, "node-" + platform(), NODE_VERSION).resolve("package/bin/node");
        node.toFile().setExecutable(true);
        Path npm = unpack(home, "npm", NPM_VERSION).resolve("package/bin/npx-cli.js");
        return List.of(node.toString(), npm.toString());
    }

    private static boolean machineHasNode() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            Process npx = new ProcessBuilder("npx", "--version").redirectErrorStream(true).start();
            npx.getInputStream().readAllBytes();
            return p.waitFor() == 0 && npx.waitFor() == 0 && version.startsWith("v")
                    && Integer.parseInt(version.substring(1, version.indexOf('.'))) >= 18;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return false;
        }
    }

    /** The package's contents, downloaded and checked once, unpacked under home/name-version. */
    private static Path unpack(Path home, String name, String version) throws IOException, InterruptedException {
        Path dir = home.resolve(name + "-" + version);
        if (Files.exists(dir.resolve(".complete"))) {
            return dir;
        }
        String registry = System.getenv().getOrDefault("npm_config_registry", "https://registry.npmjs.org/");
        JsonNode dist = JSON.readTree(get(URI.create(registry.replaceAll("/?$", "/") + name + "/" + version))).path("dist");
        byte[] tarball = get(URI.create(dist.path("tarball").asText()));
        String integrity = dist.path("integrity").asText();
        String digest = "sha512-" + Base64.getEncoder().encodeToString(sha512(tarball));
        if (!digest.equals(integrity)) {
            throw new IOException(name + "@" + version + " does not match the registry's integrity " + integrity);
        }
        Files.createDirectories(dir);
        Path archive = dir.resolve("package.tgz");
        Files.write(archive, tarball);
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString()).inheritIO().start();
        if (tar.waitFor() != 0) {
            throw new IOException("could not unpack " + archive);
        }
        Files.delete(archive);
        Files.writeString(dir.resolve(".complete"), integrity);
        return dir;
    }

    private static byte[] get(URI uri) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            byte[] body = in.readAllBytes();
            if (r.statusCode() != 200) {
                throw new IOException(uri + " answered " + r.statusCode());
            }
            return body;
        }
    }

    private static byte[] sha512(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-512").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String o = os.contains("mac") ? "darwin" : os.contains("win") ? "win" : "linux";
        String a = arch.contains("aarch64") || arch.contains("arm64") ? "arm64" : "x64";
        return o + "-" + a;
    }
}
