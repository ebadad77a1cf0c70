package org.crmbulk.system;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Nu Html Checker (the W3C's validator) on pages: its error lines, none when every page is valid HTML. */
final class HtmlChecker {

    private HtmlChecker() {
    }

    static List<String> errors(List<String> pages) throws Exception {
        Path dir = Files.createTempDirectory("pages");
        try {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss1m",
                    "-cp", System.getProperty("java.class.path"), "nu.validator.client.SimpleCommandLineValidator",
                    "--errors-only", "--no-langdetect", "--format", "gnu"));
            for (int i = 0; i < pages.size(); i++) {
                Path page = dir.resolve("page-" + i + ".html");
                Files.writeString(page, pages.get(i), StandardCharsets.UTF_8);
                command.add(page.toString());
            }
            // Its own process, once for all pages: the checker keeps static state and wants a larger thread stack.
            Process checker = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(checker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!checker.waitFor(120, TimeUnit.SECONDS)) {
                checker.destroyForcibly();
                throw new IllegalStateException("the HTML checker did not finish");
            }
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            if (checker.exitValue() != 0 && lines.isEmpty()) {
                throw new IllegalStateException("the HTML checker failed without saying why");
            }
            return checker.exitValue() == 0 ? List.of() : lines;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
