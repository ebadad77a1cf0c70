import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.postgresql.PGConnection;

/**
 * Contacts at scale, against a running api-service (see bench/contacts):
 * CSV import of N contacts, adding them to a list, and member paging near the start and the end.
 * Baseline in the same run: a bare PostgreSQL COPY of the same file into an unindexed table.
 * Args: API_URL JDBC_URL USER PASSWORD API_PID ROWS WORKDIR
 */
public class ContactsBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    // A campaign manager's token from ./crm token (the bench runs its api-service against the demo's key).
    private static final String BEARER = "Bearer " + System.getenv("CRM_TOKEN");

    public static void main(String[] a) throws Exception {
        String api = a[0], jdbc = a[1], user = a[2], password = a[3];
        long apiPid = Long.parseLong(a[4]);
        int rows = Integer.parseInt(a[5]);
        Path dir = Path.of(a[6]);
        String run = Long.toString(System.currentTimeMillis(), 36);

        Path csv = dir.resolve("contacts-" + rows + ".csv");
        writeCsv(csv, rows, run);
        long bytes = Files.size(csv);
        System.out.printf("bench: %,d rows, %,d bytes of CSV (UTF-8, Czech names, 2 custom fields)%n", rows, bytes);

        PeakRss rss = new PeakRss(apiPid);
        rss.start();

        double copySeconds = baselineCopy(jdbc, user, password, csv);
        System.out.printf("baseline: bare COPY into an unindexed table: %.1f s, %,.0f rows/s%n", copySeconds, rows / copySeconds);

        long t0 = System.nanoTime();
        HttpResponse<String> imported = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/contacts/import")).header("Authorization", BEARER)
                .header("Content-Type", "text/csv").timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofFile(csv)).build(), HttpResponse.BodyHandlers.ofString());
        double importSeconds = seconds(t0);
        check(imported, 200);
        long created = number(imported.body(), "created");
        System.out.printf("import: %.1f s, %,.0f rows/s (%.2fx the bare COPY time); created=%,d rejected=%,d%n",
                importSeconds, rows / importSeconds, importSeconds / copySeconds, created, number(imported.body(), "rejected"));

        String list = post(api + "/api/v1/lists", "{\"name\":\"bench " + run + "\"}", 201);
        long listId = number(list, "id");
        t0 = System.nanoTime();
        int chunk = 100_000;
        for (int from = 0; from < rows; from += chunk) {
            StringBuilder body = new StringBuilder(chunk * 20).append("{\"externalIds\":[");
            for (int i = from; i < Math.min(rows, from + chunk); i++) {
                body.append(i == from ? "" : ",").append('"').append("b").append(run).append('-').append(i).append('"');
            }
            post(api + "/api/v1/lists/" + listId + "/members", body.append("]}").toString(), 200);
        }
        double addSeconds = seconds(t0);
        long members = number(get(api + "/api/v1/lists/" + listId), "memberCount");
        System.out.printf("add members: %.1f s for %,d members (%d calls of %,d external IDs), %,.0f members/s%n",
                addSeconds, members, (rows + chunk - 1) / chunk, chunk, members / addSeconds);

        long deepAfter;
        try (Connection c = DriverManager.getConnection(jdbc, user, password); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT contact_id FROM list_member WHERE list_id = " + listId
                     + " ORDER BY contact_id OFFSET " + Math.max(0, rows - 100 - 1) + " LIMIT 1")) {
            r.next();
            deepAfter = r.getLong(1);
        }
        double first = medianMillis(api + "/api/v1/lists/" + listId + "/members?limit=100", 30);
        double last = medianMillis(api + "/api/v1/lists/" + listId + "/members?limit=100&after=" + deepAfter, 30);
        System.out.printf("member pages of 100: page 1 median %.1f ms, page %,d median %.1f ms (ratio %.2f)%n",
                first, rows / 100, last, last / first);

        rss.stopSampling();
        System.out.printf("api-service peak RSS during the run: %,d MB (VmHWM)%n", rss.peakKb() / 1024);
        if (created != rows || members != rows) {
            System.out.println("bench: FAILED: expected " + rows + " created and members");
            System.exit(1);
        }
    }

    static void writeCsv(Path csv, int rows, String run) throws Exception {
        String[] first = {"Jana", "Petr", "Eliška", "Tomáš", "Lucie", "Jiří", "Žofie", "Ondřej"};
        String[] last = {"Nováková", "Dvořák", "Černá", "Horák", "Procházková", "Kučera", "Šťastná", "Růžička"};
        String[] city = {"Brno", "Praha", "Ostrava", "Plzeň", "Olomouc"};
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("externalId;email;firstName;lastName;company;language;custom.city;custom.segment\n");
            for (int i = 0; i < rows; i++) {
                w.write("b" + run + "-" + i + ";user" + i + "." + run + "@bench.example.cz;" + first[i % 8] + ";" + last[i % 8]
                        + ";Firma " + (i % 1000) + " s.r.o.;cs;" + city[i % 5] + ";" + (i % 3 == 0 ? "vip" : "std") + "\n");
            }
        }
    }

    static double baselineCopy(String jdbc, String user, String password, Path csv) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE copy_baseline (external_id text, email text, first_name text, last_name text, "
                    + "company text, language text, city text, segment text)");
            long t0 = System.nanoTime();
            try (var in = Files.newInputStream(csv)) {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                        "COPY copy_baseline FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)", in);
            }
            return seconds(t0);
        }
    }

    static double medianMillis(String url, int n) throws Exception {
        get(url);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            get(url);
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[n / 2];
    }

    static String get(String url) throws Exception {
        return check(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", BEARER).build(), HttpResponse.BodyHandlers.ofString()), 200).body();
    }

    static String post(String url, String json, int expected) throws Exception {
        return check(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", BEARER).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()), expected).body();
    }

    static HttpResponse<String> check(HttpResponse<String> r, int expected) {
        if (r.statusCode() != expected) {
            throw new IllegalStateException(r.request().uri() + " answered " + r.statusCode() + ": "
                    + r.body().substring(0, Math.min(500, r.body().length())));
        }
        return r;
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Samples the process's resident set size; VmHWM is the kernel's own high-water mark. */
    static final class PeakRss extends Thread {
        final long pid;
        final AtomicLong peak = new AtomicLong();
        volatile boolean running = true;

        PeakRss(long pid) {
            this.pid = pid;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                peak.accumulateAndGet(read("VmHWM:"), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() {
            running = false;
        }

        long peakKb() {
            return Math.max(peak.get(), read("VmHWM:"));
        }

        long read(String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith(key)) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (Exception e) {
                return 0;
            }
            return 0;
        }
    }
}
