package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.crmbulk.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import com.sun.net.httpserver.HttpServer;

import io.restassured.http.ContentType;

/**
 * The web components of /ui/ in Debian's headless Chromium (installed by .ci/run), against the packaged services:
 * launched from the form and watched to the end, paused and resumed, read-only for a reader, the history with a
 * launch's deliveries and content, an activity's CLIENT-mode mail, embedded by a page of another origin (script and
 * iframe), and no serious accessibility violation (axe-core). Screenshots land in target/ui-screenshots.
 */
class UiSystemTest {

    private static final Path SHOTS = Path.of("target", "ui-screenshots");
    private static final String HOST_ORIGIN = "http://localhost:" + Stack.UI_HOST_PORT;

    private static Stack stack;
    private static ChromeDriver browser;
    private static Path downloads;
    private static HttpServer host;
    private static final AtomicInteger hostTokenCalls = new AtomicInteger();

    @BeforeAll
    static void startTheBrowser() throws Exception {
        stack = Stack.shared();
        Path chromium = Path.of("/usr/bin/chromium");
        Path driver = Path.of("/usr/bin/chromedriver");
        if (!Files.isExecutable(chromium) || !Files.isExecutable(driver)) {
            throw new IllegalStateException("Debian's chromium and chromium-driver are needed (.ci/run installs them: apt-get install chromium chromium-driver)");
        }
        Files.createDirectories(SHOTS);
        downloads = Files.createTempDirectory("ui-downloads");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1100",
                "--user-data-dir=" + Files.createTempDirectory("chromium"));
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(), "download.prompt_for_download", false));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build(), options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        browser.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
    }

    @AfterAll
    static void stopTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (host != null) {
            host.stop(0);
        }
    }

    private static String manager() {
        return TestTokens.withRoles("ui-manager", TestTokens.MANAGER);
    }

    private static String reader() {
        return TestTokens.withRoles("ui-reader", TestTokens.READER);
    }

    private static void open(String fragment) {
        browser.get("about:blank"); // the fragment alone would not reload the page
        browser.get(stack.api.baseUrl() + "/ui/#" + fragment);
    }

    private static SearchContext shadowOf(String element) {
        return until(b -> b.findElement(By.cssSelector(element)).getShadowRoot());
    }

    private static <T> T until(Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(100)).ignoring(RuntimeException.class).until(condition);
    }

    private static WebElement in(SearchContext root, String css) {
        return until(b -> {
            WebElement e = root.findElement(By.cssSelector(css));
            return e.isDisplayed() ? e : null;
        });
    }

    /** Clicks the element, found again if a redraw (a progress event) replaced it meanwhile. */
    private static void click(SearchContext root, String css) {
        until(b -> {
            root.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    private static void screenshot(String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    private static void assertNoSeriousViolation(String what) {
        Results results = new AxeBuilder().withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")).analyze(browser);
        List<String> serious = results.getViolations().stream().filter(r -> "serious".equals(r.getImpact()) || "critical".equals(r.getImpact()))
                .map(UiSystemTest::describe).toList();
        assertThat(serious).as(what + ": axe-core's serious and critical violations").isEmpty();
    }

    private static String describe(Rule rule) {
        return rule.getId() + " (" + rule.getImpact() + "): " + rule.getHelp() + " at " + rule.getNodes().stream().map(n -> String.valueOf(n.getTarget())).toList();
    }

    private static String status(SearchContext progress) {
        return progress.findElement(By.cssSelector("#status")).getAttribute("data-status");
    }

    private static void awaitStatus(SearchContext progress, String status) {
        until(b -> status.equals(status(progress)));
    }

    /** A launch of a new list of n addresses, accepted while no worker runs: it stays QUEUED until the worker is back. */
    private static long waitingLaunch(String prefix, int n) throws IOException {
        String p = prefix + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("UI " + p, p + "-", n);
        long action = SystemApi.textBulkAction("Subject " + p, "Hello.");
        stack.worker.close();
        return SystemApi.launch(SystemApi.startLaunch(action, list)).getLong("id");
    }

    private static int launchesOf(long action) {
        return given().queryParam("bulkActionId", action).get("/api/v1/launches").then().statusCode(200).extract().jsonPath().getList("items").size();
    }

    @Test
    void a_campaign_manager_launches_from_the_form_once_however_often_clicked_and_watches_it_complete() throws Exception {
        String p = "ui" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("UI list " + p, p + "-", 6);
        long action = SystemApi.textBulkAction("Ahoj " + p, "Dobrý den, {contact.firstName}.");
        open("token=" + manager());

        SearchContext form = shadowOf("crm-launch-form");
        new Select(in(form, "#action")).selectByValue(String.valueOf(action));
        in(form, "summary").click();
        in(form, "#preview").click();
        assertThat(in(form, "#preview-subject").getText()).isEqualTo("Ahoj " + p);
        assertThat(in(form, "label[for=list-" + list + "]").getText()).isEqualTo("UI list " + p);
        in(form, "#list-" + list).click();
        assertNoSeriousViolation("the launch form");
        WebElement launch = in(form, "#launch");
        new Actions(browser).doubleClick(launch).click(launch).perform();

        SearchContext progress = shadowOf("crm-launch-progress");
        awaitStatus(progress, "COMPLETED");
        assertThat(progress.findElement(By.cssSelector("[data-counter=sent]")).getText()).isEqualTo("6");
        assertThat(progress.findElement(By.cssSelector("[role=progressbar]")).getAttribute("aria-valuenow")).isEqualTo("100");
        assertThat(progress.findElements(By.cssSelector("#pause, #cancel"))).as("nothing to pause once final").isEmpty();
        screenshot("launch-form-and-progress");
        assertNoSeriousViolation("the progress view");
        assertThat(launchesOf(action)).as("three clicks, one launch").isEqualTo(1);
    }

    @Test
    void the_form_is_used_with_the_keyboard_alone_from_the_top_of_the_page() throws Exception {
        String p = "uik" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("UI keys " + p, p + "-", 2);
        long action = SystemApi.textBulkAction("Keys " + p, "Hello.");
        open("token=" + manager());
        SearchContext form = shadowOf("crm-launch-form");
        in(form, "#action");

        tabTo("crm-launch-form", "action");
        new Actions(browser).sendKeys(Keys.END).perform(); // the newest action is the last option
        assertThat(new Select(form.findElement(By.cssSelector("#action"))).getFirstSelectedOption().getAttribute("value")).isEqualTo(String.valueOf(action));
        tabTo("crm-launch-form", "list-" + list);
        new Actions(browser).sendKeys(Keys.SPACE).perform();
        tabTo("crm-launch-form", "launch");
        new Actions(browser).sendKeys(Keys.ENTER).perform();

        awaitStatus(shadowOf("crm-launch-progress"), "COMPLETED");
        assertThat(launchesOf(action)).isEqualTo(1);
    }

    /** Presses Tab until the element with this ID inside the component has the focus (at most 60 times). */
    private static void tabTo(String component, String id) {
        JavascriptExecutor js = browser;
        for (int i = 0; i < 60; i++) {
            Object focused = js.executeScript("return document.querySelector(arguments[0]).shadowRoot.activeElement?.id", component);
            if (id.equals(focused)) {
                return;
            }
            new Actions(browser).sendKeys(Keys.TAB).perform();
        }
        throw new AssertionError(id + " of " + component + " is not reached with the Tab key");
    }

    @Test
    void a_launch_is_paused_and_resumed_from_the_progress_view() throws Exception {
        try {
            long id = waitingLaunch("uip", 3); // no worker: the launch waits, queued, for as long as the test needs
            open("token=" + manager() + "&launch=" + id);
            SearchContext progress = shadowOf("crm-launch-progress");
            click(progress, "#pause");
            awaitStatus(progress, "PAUSED");
            screenshot("progress-paused");
            click(progress, "#resume");
            until(b -> !"PAUSED".equals(status(progress)));
        } finally {
            stack.restoreWorker();
        }
        SearchContext progress = shadowOf("crm-launch-progress");
        awaitStatus(progress, "COMPLETED");
        assertThat(progress.findElement(By.cssSelector("[data-counter=sent]")).getText()).isEqualTo("3");
    }

    @Test
    void a_reader_sees_the_form_and_the_progress_but_no_button_that_would_change_anything() throws Exception {
        try {
            long id = waitingLaunch("uir", 1);
            open("token=" + reader() + "&launch=" + id);
            SearchContext form = shadowOf("crm-launch-form");
            assertThat(in(form, "#read-only").getText()).contains("cannot launch");
            assertThat(form.findElements(By.cssSelector("#launch"))).isEmpty();
            SearchContext progress = shadowOf("crm-launch-progress");
            awaitStatus(progress, "QUEUED");
            assertThat(progress.findElements(By.cssSelector("#pause, #resume, #cancel"))).isEmpty();
            screenshot("reader");
        } finally {
            stack.restoreWorker();
        }
    }

    @Test
    void the_history_shows_a_launchs_deliveries_and_the_content_it_sent_and_exports_them() throws Exception {
        String p = "uih" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("UI history", p + "-", 4);
        long action = SystemApi.textBulkAction("History " + p, "Text of " + p + ".");
        long id = SystemApi.awaitFinal(SystemApi.startLaunch(action, list), Duration.ofSeconds(60)).getLong("id");
        open("token=" + reader() + "&lang=cs");
        browser.findElement(By.cssSelector("nav button[data-view=history]")).click();

        SearchContext history = shadowOf("crm-launch-history");
        in(history, "#action").sendKeys(String.valueOf(action));
        in(history, "#filter button[type=submit]").click();
        until(b -> history.findElements(By.cssSelector("#launches tbody tr")).size() == 1);
        assertThat(in(history, "#launches caption").getText()).isEqualTo("Historie spuštění");
        in(history, "button[data-launch='" + id + "']").click();
        until(b -> history.findElements(By.cssSelector("#deliveries tbody tr")).size() == 4);
        assertThat(in(history, "#content-subject").getText()).isEqualTo("History " + p);
        assertThat(in(history, "#content-text").getText()).isEqualTo("Text of " + p + ".");
        List<WebElement> outcomes = history.findElements(By.cssSelector("#deliveries tbody tr td:nth-child(2)"));
        assertThat(outcomes.stream().map(e -> e.getAttribute("data-status"))).containsOnly("SENT");
        assertThat(outcomes.stream().map(WebElement::getText)).as("in the host's language").containsOnly("Odesláno");
        screenshot("history");
        assertNoSeriousViolation("the history");

        in(history, "#csv").click();
        Path csv = downloads.resolve("launch-" + id + "-deliveries.csv");
        until(b -> Files.exists(csv) ? true : null);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(5);
        assertThat(lines.subList(1, 5)).allSatisfy(l -> assertThat(l).contains(p + "-").contains("SENT"));
    }

    @Test
    void an_activitys_client_mode_task_gives_the_mailto_links_and_the_eml_and_sends_nothing() throws Exception {
        String task = "orsoft.o.crm.Ohakt.posliMailNaVedomi";
        String before = given().get("/api/v1/codebooks/OMAILUL/entries").then().statusCode(200).extract().jsonPath()
                .getString("find { it.key == '" + task + "' }.value");
        SystemApi.setMailMode(task, "1");
        try {
            String p = "uia" + UUID.randomUUID().toString().substring(0, 6);
            long activity = given().contentType(ContentType.JSON).body(Map.of("type", "MEETING", "subject", "Porada " + p,
                    "cc", List.of(Map.of("email", p + "-cc@example.cz")))).post("/api/v1/activities").then().statusCode(201)
                    .extract().jsonPath().getLong("id");
            open("token=" + manager());
            browser.findElement(By.cssSelector("nav button[data-view=activity]")).click();
            browser.findElement(By.id("activity-id")).sendKeys(String.valueOf(activity));
            browser.findElement(By.cssSelector("#activity-form button")).click();

            SearchContext panel = shadowOf("crm-activity-mail");
            assertThat(in(panel, "tr[data-task='" + task + "']").getAttribute("data-mode")).isEqualTo("CLIENT");
            assertThat(panel.findElements(By.cssSelector("tbody tr[data-task]"))).hasSize(5);
            in(panel, "button[data-run='" + task + "']").click();
            WebElement mailto = in(panel, "a.mailto");
            String href = mailto.getAttribute("href");
            assertThat(href).startsWith("mailto:");
            assertThat(java.net.URLDecoder.decode(href.replace("+", "%2B"), StandardCharsets.UTF_8)).contains(p + "-cc@example.cz").contains("Porada " + p);
            screenshot("activity-mail-client-mode");
            assertNoSeriousViolation("the activity mail panel");
            in(panel, "#eml").click();
            until(b -> {
                try (var files = Files.list(downloads)) {
                    return files.anyMatch(f -> f.getFileName().toString().matches("draft-\\d+\\.eml")) ? true : null;
                } catch (IOException e) {
                    return null;
                }
            });
            Path eml;
            try (var files = Files.list(downloads)) {
                eml = files.filter(f -> f.getFileName().toString().matches("draft-\\d+\\.eml")).findFirst().orElseThrow();
            }
            assertThat(Files.readString(eml, StandardCharsets.ISO_8859_1)).contains("X-Unsent: 1").contains(p + "-cc@example.cz");
            assertThat(stack.smtp.received().stream().filter(m -> {
                try {
                    return m.getAllRecipients()[0].toString().startsWith(p);
                } catch (jakarta.mail.MessagingException e) {
                    return false;
                }
            })).as("CLIENT mode sends nothing").isEmpty();
        } finally {
            SystemApi.setMailMode(task, before == null ? " " : before);
        }
    }

    @Test
    void a_page_of_another_allowed_origin_embeds_the_components_by_script_with_a_token_callback_and_by_iframe() throws Exception {
        String p = "uie" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("UI embed", p + "-", 2);
        long action = SystemApi.textBulkAction("Embed " + p, "Hello.");
        long id = SystemApi.awaitFinal(SystemApi.startLaunch(action, list), Duration.ofSeconds(60)).getLong("id");
        String api = stack.api.baseUrl();
        String expired = TestTokens.token("ui-host", TestTokens.ISSUER, TestTokens.AUDIENCE, java.time.Instant.now().minusSeconds(60), TestTokens.READER);
        host = HttpServer.create(new InetSocketAddress("localhost", Stack.UI_HOST_PORT), 0);
        // The host's token endpoint: an expired token first, so the component must ask again after a 401.
        host.createContext("/token", exchange -> {
            byte[] token = (hostTokenCalls.getAndIncrement() == 0 ? expired : reader()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, token.length);
            exchange.getResponseBody().write(token);
            exchange.close();
        });
        host.createContext("/", exchange -> {
            byte[] page = """
                    <!doctype html><html lang="cs"><head><meta charset="utf-8"><title>ERP</title>
                    <script type="module" src="%1$s/ui/crm-ui.js"></script></head><body><main><h1>ERP</h1>
                    <crm-launch-history lang="cs" api-base="%1$s"></crm-launch-history>
                    <iframe id="frame" title="Průběh" width="700" height="500"
                      src="%1$s/ui/embed.html?view=launch-progress&amp;lang=cs&amp;launch-id=%2$d&amp;parent=%3$s"></iframe></main>
                    <script>
                      window.fromFrame = [];
                      document.querySelector('crm-launch-history').tokenProvider = () => fetch('/token').then(r => r.text());
                      addEventListener('message', e => {
                        if (e.origin !== '%1$s') return;
                        window.fromFrame.push(e.data.type);
                        if (e.data.type === 'crm-token-request') {
                          fetch('/token').then(r => r.text()).then(t => e.source.postMessage({type: 'crm-token', token: t}, '%1$s'));
                        }
                      });
                    </script></body></html>""".formatted(api, id, HOST_ORIGIN).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        host.start();

        browser.get(HOST_ORIGIN + "/");
        SearchContext history = shadowOf("crm-launch-history");
        until(b -> history.findElements(By.cssSelector("button[data-launch='" + id + "']")).size() == 1);
        assertThat(in(history, "#launches caption").getText()).isEqualTo("Historie spuštění");
        assertThat(hostTokenCalls.get()).as("the expired token was refused, and the callback asked for another").isGreaterThanOrEqualTo(2);

        browser.switchTo().frame("frame");
        SearchContext progress = shadowOf("crm-launch-progress");
        awaitStatus(progress, "COMPLETED");
        assertThat(in(progress, "#status").getText()).isEqualTo("Dokončeno");
        browser.switchTo().defaultContent();
        @SuppressWarnings("unchecked")
        List<String> messages = (List<String>) ((JavascriptExecutor) browser).executeScript("return window.fromFrame");
        assertThat(messages).contains("crm-ready", "crm-token-request", "crm-launch-status");
        screenshot("embedded");

        // An origin not on the allow-list (the same host under another name) gets no CORS answer from the API.
        Object foreign = ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('%s/api/v1/launches', {headers: {Authorization: 'Bearer x'}}).then(() => done('read'), () => done('refused'));
                """.formatted(api));
        assertThat(foreign).isEqualTo("read"); // from the allowed origin: the answer (a 401) is readable
        browser.get("http://127.0.0.1:" + Stack.UI_HOST_PORT + "/");
        Object refused = ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('%s/api/v1/launches', {headers: {Authorization: 'Bearer x'}}).then(() => done('read'), () => done('refused'));
                """.formatted(api));
        assertThat(refused).as("another origin cannot read the API").isEqualTo("refused");
        assertThat(given().get(api + "/ui/embed.html").then().statusCode(200).extract().header("Content-Security-Policy"))
                .contains("frame-ancestors 'self' " + HOST_ORIGIN).contains("script-src 'self'");
    }
}
