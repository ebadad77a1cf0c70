import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The campaign half of bench/campaign, against running services.
 * Args: API_URL JDBC_URL USER PASSWORD API_PID WORKER_PID RECIPIENTS CEILING_MSGS_PER_S CEILING_BULK_RECIPIENTS_PER_S
 */
public class CampaignBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    // A campaign manager's token from ./crm token (the bench runs its api-service against the demo's key).
    private static final String BEARER = "Bearer " + System.getenv("CRM_TOKEN");
    // A codebook admin's token: the BULK half sets OMAILUL.
    private static final String ADMIN_BEARER = "Bearer " + System.getenv("CRM_ADMIN_TOKEN");
    // A webhook admin's token and the bench's receiver, when the run delivers webhooks (CRM_BENCH_WEBHOOKS).
    private static final String WEBHOOK_BEARER = "Bearer " + System.getenv("CRM_WEBHOOK_TOKEN");
    private static final String WEBHOOK_RECEIVER = System.getenv("CRM_BENCH_WEBHOOK_RECEIVER");
    private static final String WEBHOOK_TYPES = System.getenv("CRM_BENCH_WEBHOOK_TYPES");
    /** Recipients of each BULK mail task: one message each (the relay's limit, 100, is not reached). */
    static final int BULK_RECIPIENTS = 50;
    static final String PARTICIPANTS_TASK = "orsoft.o.crm.Ohakt.posliMailUcastnikum";
    static String api;

    public static void main(String[] a) throws Exception {
        if (a[0].equals("one-launch")) {
            oneLaunch(a);
            return;
        }
        api = a[0];
        String jdbc = a[1], user = a[2], password = a[3];
        Rss apiRss = new Rss(Long.parseLong(a[4]));
        Rss workerRss = new Rss(Long.parseLong(a[5]));
        int n = Integer.parseInt(a[6]);
        double ceiling = Double.parseDouble(a[7]);
        double bulkCeiling = Double.parseDouble(a[8]);
        apiRss.start();
        workerRss.start();

        long list = importedList("campaign", "c", n);
        String body = "Dobrý den, {contact.firstName} {contact.lastName},\n\n" + "jarní nabídka pro {contact.custom.city}. ".repeat(120)
                + "\n\nS pozdravem\nDemo s.r.o.";
        String action = post("/api/v1/bulk-actions", "{\"name\":\"bench\",\"from\":\"shop@bench.example.cz\","
                + "\"subject\":\"Nabídka pro {contact.firstName}\",\"textBody\":" + quote(body)
                + ",\"activity\":{\"create\":true,\"owner\":\"LAUNCHER\"}}", 201);
        long actionId = number(action, "id");
        byte[] pdf = new byte[50_000];
        new Random(1).nextBytes(pdf);
        upload("/api/v1/bulk-actions/" + actionId + "/attachments", "cenik.pdf", pdf);
        long launchUser = number(post("/api/v1/users", "{\"email\":\"launcher@bench.example.cz\"}", 201), "id");

        long subscription = WEBHOOK_RECEIVER == null ? 0 : subscribe();
        long small = importedList("accept-1k", "k", 1_000);
        List<Long> warming = new ArrayList<>();
        warmUp(actionId, small, launchUser, warming);
        cancel(warming);

        double[] cpu0 = {cpuSeconds(apiRss.pid), cpuSeconds(workerRss.pid), postgresCpuSeconds()};
        double wal0 = walBytes(jdbc, user, password);
        long t0 = System.nanoTime();
        String accepted = post("/api/v1/launches", "{\"bulkActionId\":" + actionId + ",\"listIds\":[" + list
                + "],\"launchedByUserId\":" + launchUser + "}", 202);
        long launchId = number(accepted, "id");
        DuringCampaign during = new DuringCampaign(actionId, small, launchUser);
        during.start();
        String status;
        do {
            Thread.sleep(200);
            status = field(get("/api/v1/launches/" + launchId), "status");
        } while (!status.startsWith("COMPLETED") && !status.equals("CANCELLED") && !status.equals("PAUSED"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] cpu = {cpuSeconds(apiRss.pid) - cpu0[0], cpuSeconds(workerRss.pid) - cpu0[1], postgresCpuSeconds() - cpu0[2]};
        double wal = walBytes(jdbc, user, password) - wal0;
        double[] busy = during.finish();

        double firstDelivery, firstClaim;
        double recordSpan;
        long sent, activities, rows;
        try (Connection c = DriverManager.getConnection(jdbc, user, password); ResultSet rs = c.createStatement().executeQuery("""
                SELECT extract(epoch FROM min(d.sent_at) - l.created_at), extract(epoch FROM max(d.sent_at) - l.created_at),
                       count(*) FILTER (WHERE d.status = 'SENT'), (SELECT count(*) FROM activity WHERE launch_id = l.id), count(*),
                       extract(epoch FROM min(d.first_attempt_at) - l.created_at)
                FROM launch l JOIN delivery d ON d.launch_id = l.id WHERE l.id = """ + launchId + " GROUP BY l.id")) {
            rs.next();
            firstDelivery = rs.getDouble(1);
            recordSpan = rs.getDouble(2);
            sent = rs.getLong(3);
            activities = rs.getLong(4);
            rows = rs.getLong(5);
            firstClaim = rs.getDouble(6);
        }
        String launch = get("/api/v1/launches/" + launchId);
        System.out.printf("campaign: %,d recipients, ~5 kB personalized body, 50 kB attachment, activities ON: %s%n", n, status);
        System.out.printf("  end to end (accepted -> last delivery recorded): %.1f s, %.0f messages/s = %.1f%% of the ceiling%n",
                recordSpan, sent / recordSpan, 100 * (sent / recordSpan) / ceiling);
        System.out.printf("  time to first delivery: %.2f s to its first message claimed for sending, %.2f s to its first SENT recorded;"
                + " wall time to COMPLETED seen over HTTP: %.1f s%n", firstClaim, firstDelivery, seconds);
        System.out.printf("  CPU from acceptance to COMPLETED: mail-worker %.1f s (%.2f ms/message), PostgreSQL %.1f s (%.2f ms/message), "
                + "api-service %.1f s; the machine has %d cores%n", cpu[1], 1000 * cpu[1] / sent, cpu[2], 1000 * cpu[2] / sent, cpu[0],
                Runtime.getRuntime().availableProcessors());
        // WAL volume moves with what the database writes, not with how busy the machine is: the steadier per-message cost.
        System.out.printf("  PostgreSQL WAL from acceptance to COMPLETED: %.1f MB, %.2f kB/message (the whole server's, acceptance loop included)%n",
                wal / 1e6, wal / 1e3 / sent);
        long deliveryEvents = events(jdbc, user, password, launchId);
        String webhookProblem = subscription == 0 ? null : webhooks(jdbc, user, password, launchId, subscription);

        long big = n >= 1_000_000 ? list : importedList("accept-1M", "m", 1_000_000);
        double[] p1k = acceptance(actionId, small, launchUser);
        double[] p1m = acceptance(actionId, big, launchUser);
        System.out.printf("  launch acceptance: list of 1,000 p50 %.1f ms p99 %.1f ms; list of 1,000,000 p50 %.1f ms p99 %.1f ms%n",
                p1k[0], p1k[1], p1m[0], p1m[1]);
        System.out.printf("  launch acceptance during the campaign (list of 1,000, %d launches at %d/s while it sent): p50 %.1f ms p99 %.1f ms%n",
                (int) busy[2], DuringCampaign.PER_SECOND, busy[0], busy[1]);

        boolean countersEqual = number(launch, "sent") == sent && number(launch, "total") == rows;
        String rowProblem = everyDeliveryRow(jdbc, user, password, launchId, n);
        boolean campaignOk = "COMPLETED".equals(status) && sent == n && activities == n && countersEqual && rowProblem == null
                && (deliveryEvents == 0 || deliveryEvents == n) && webhookProblem == null;
        boolean bulkOk = bulk(jdbc, user, password, n / BULK_RECIPIENTS, launchUser, body, bulkCeiling);
        System.out.printf("  peak RSS over the whole run: api-service %,d MB, mail-worker %,d MB%n", apiRss.peakKb() / 1024,
                workerRss.peakKb() / 1024);

        if (!campaignOk || !bulkOk) {
            System.out.printf("bench: FAILED correctness: campaign status=%s sent=%d activities=%d rows=%d counters-equal=%s rows: %s;"
                    + " webhooks: %s; BULK %s%n", status, sent, activities, rows, countersEqual, rowProblem == null ? "OK" : rowProblem,
                    webhookProblem == null ? "OK" : webhookProblem, bulkOk ? "OK" : "wrong (above)");
            System.exit(1);
        }
        double ratio = 100 * (sent / recordSpan) / ceiling;
        long rssMb = Math.max(apiRss.peakKb(), workerRss.peakKb()) / 1024;
        System.out.printf("targets: campaign %.1f%% of the ceiling (>= 80%%: %s); acceptance p99 quiet %.1f ms, during the campaign %.1f ms"
                + " (< 50 ms: %s); first message claimed %.2f s (< 1 s: %s); peak RSS %d MB (< 512 MB each: %s)%n", ratio, met(ratio >= 80),
                Math.max(p1k[1], p1m[1]), busy[1], met(Math.max(Math.max(p1k[1], p1m[1]), busy[1]) < 50), firstClaim, met(firstClaim < 1),
                rssMb, met(rssMb < 512));
        System.out.printf("check: every one of %,d delivery rows SENT once (one per address, its own Message-ID, its activity, no possible"
                + " duplicate), counters equal to rows; BULK: every recipient SENT, one message per job: OK%n", rows);
    }

    /**
     * The scale phase: one launch of N recipients (a short personalized text, activities ON) to whatever workers run,
     * timed from acceptance to its last delivery recorded; fails unless every row is SENT once with counters equal to rows.
     * Args: one-launch API JDBC USER PASSWORD N LABEL. Prints its figures and, last, {@code seconds=S}.
     */
    static void oneLaunch(String[] a) throws Exception {
        api = a[1];
        String jdbc = a[2], user = a[3], password = a[4], label = a[6];
        int n = Integer.parseInt(a[5]);
        long list = importedList("scale " + label, "s" + label.charAt(0), n);
        long actionId = number(post("/api/v1/bulk-actions", "{\"name\":\"scale\",\"from\":\"shop@bench.example.cz\","
                + "\"subject\":\"Nabídka pro {contact.firstName}\",\"textBody\":\"Dobrý den, {contact.firstName}.\","
                + "\"activity\":{\"create\":true,\"owner\":\"LAUNCHER\"}}", 201), "id");
        long launchUser = number(post("/api/v1/users", "{\"email\":\"scale-" + label + "@bench.example.cz\"}", 201), "id");
        long launchId = number(post("/api/v1/launches", "{\"bulkActionId\":" + actionId + ",\"listIds\":[" + list
                + "],\"launchedByUserId\":" + launchUser + "}", 202), "id");
        String status;
        do {
            Thread.sleep(200);
            status = field(get("/api/v1/launches/" + launchId), "status");
        } while (!status.startsWith("COMPLETED") && !status.equals("CANCELLED") && !status.equals("PAUSED"));
        double seconds;
        try (Connection c = DriverManager.getConnection(jdbc, user, password); ResultSet rs = c.createStatement().executeQuery(
                "SELECT extract(epoch FROM max(d.sent_at) - l.created_at) FROM launch l JOIN delivery d ON d.launch_id = l.id WHERE l.id = "
                        + launchId + " GROUP BY l.created_at")) {
            rs.next();
            seconds = rs.getDouble(1);
        }
        String launch = get("/api/v1/launches/" + launchId);
        String rowProblem = everyDeliveryRow(jdbc, user, password, launchId, n);
        boolean ok = "COMPLETED".equals(status) && number(launch, "sent") == n && number(launch, "total") == n && rowProblem == null;
        System.out.printf("  %s: %,d recipients in %.1f s (accepted -> last delivery recorded), %.1f messages/s: %s%n", label, n, seconds,
                n / seconds, ok ? "every row SENT once, counters equal to rows" : "WRONG: status=" + status + " " + rowProblem);
        if (!ok) {
            System.exit(1);
        }
        System.out.printf("seconds=%.3f%n", seconds);
    }

    static String met(boolean met) {
        return met ? "met" : "NOT met";
    }

    /** Correctness from the rows themselves, not the counters: why they are wrong, or null when every one is right. */
    static String everyDeliveryRow(String jdbc, String user, String password, long launchId, long n) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, user, password); ResultSet rs = c.createStatement().executeQuery("""
                SELECT count(*), count(DISTINCT lower(email)), count(*) FILTER (WHERE status = 'SENT' AND sent_at IS NOT NULL),
                       count(DISTINCT message_id), count(*) FILTER (WHERE activity_id IS NOT NULL), count(*) FILTER (WHERE possible_duplicate)
                FROM delivery WHERE launch_id = """ + launchId)) {
            rs.next();
            long[] v = {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)};
            if (v[0] != n || v[1] != n || v[2] != n || v[3] != n || v[4] != n || v[5] != 0) {
                return "rows=" + v[0] + " addresses=" + v[1] + " sent=" + v[2] + " message-ids=" + v[3] + " with activity=" + v[4]
                        + " possible duplicates=" + v[5] + " (each should be " + n + ", duplicates 0)";
            }
            return null;
        }
    }

    /**
     * BULK mode: OMAILUL set to "0" for the participants task, then that task run on {@code jobs} activities of
     * {@link #BULK_RECIPIENTS} participants each, the requests sent 8 at a time. Prints recipients/s from the first
     * job accepted to the last recipient recorded, against the ceiling at the same recipients per message.
     * @return whether every recipient is SENT and each job went out as one message
     */
    static boolean bulk(String jdbc, String user, String password, int jobs, long owner, String body, double ceiling) throws Exception {
        check(HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/codebooks/OMAILUL/entries/" + PARTICIPANTS_TASK))
                .header("Authorization", ADMIN_BEARER).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"0\",\"description\":\"bench: BULK\"}")).build(),
                HttpResponse.BodyHandlers.ofString()), 200, 201);
        String run = Long.toString(System.nanoTime(), 36);
        long[] activityIds = new long[jobs];
        parallel(jobs, i -> {
            StringBuilder participants = new StringBuilder();
            for (int p = 0; p < BULK_RECIPIENTS; p++) {
                participants.append(p == 0 ? "" : ",").append("{\"email\":\"b").append(i).append('-').append(p).append('.').append(run)
                        .append("@bench.example.cz\",\"name\":\"Host ").append(p).append("\"}");
            }
            return post("/api/v1/activities", "{\"type\":\"MEETING\",\"subject\":\"Porada " + i + "\",\"body\":" + quote(body)
                    + ",\"ownerUserId\":" + owner + ",\"participants\":[" + participants + "]}", 201);
        }, (i, r) -> activityIds[i] = number(r, "id"));
        long[] jobIds = new long[jobs];
        parallel(jobs, i -> post("/api/v1/activities/" + activityIds[i] + "/mail-tasks", "{\"task\":\"participants\"}", 202),
                (i, r) -> jobIds[i] = number(r, "id"));
        String ids = Arrays.toString(jobIds).replace('[', '{').replace(']', '}');
        long open;
        do {
            Thread.sleep(200);
            open = scalar(jdbc, user, password, "SELECT count(*) FROM mail_job WHERE id = ANY('" + ids + "') AND status IN ('QUEUED', 'SENDING')");
        } while (open > 0);
        try (Connection c = DriverManager.getConnection(jdbc, user, password); ResultSet rs = c.createStatement().executeQuery("""
                SELECT extract(epoch FROM max(r.sent_at) - min(j.created_at)), extract(epoch FROM min(r.sent_at) - min(j.created_at)),
                       count(*) FILTER (WHERE r.status = 'SENT'), count(DISTINCT r.message_id),
                       count(DISTINCT j.id) FILTER (WHERE j.status = 'DONE' AND j.mode = 'BULK'),
                       extract(epoch FROM max(j.created_at) - min(j.created_at))
                FROM mail_job j JOIN delivery r ON r.mail_job_id = j.id WHERE j.id = ANY('""" + ids + "')")) {
            rs.next();
            double span = rs.getDouble(1);
            long sent = rs.getLong(3), messages = rs.getLong(4), done = rs.getLong(5);
            System.out.printf("BULK mode: %,d mail tasks of %d participants each (~5 kB body): %,d recipients in %,d messages%n", jobs,
                    BULK_RECIPIENTS, sent, messages);
            System.out.printf("  end to end (first job accepted -> last recipient recorded): %.1f s, %.0f recipients/s = %.1f%% of the ceiling%n",
                    span, sent / span, 100 * (sent / span) / ceiling);
            System.out.printf("  time to first delivery: %.2f s; the %,d mail tasks were accepted over %.1f s%n", rs.getDouble(2), jobs,
                    rs.getDouble(6));
            boolean ok = sent == (long) jobs * BULK_RECIPIENTS && messages == jobs && done == jobs;
            if (!ok) {
                System.out.printf("  BULK check FAILED: sent=%d (want %d), messages=%d and DONE jobs=%d (want %d)%n", sent,
                        (long) jobs * BULK_RECIPIENTS, messages, done, jobs);
            }
            return ok;
        }
    }

    interface Request {
        String send(int i) throws Exception;
    }

    interface Answer {
        void take(int i, String body);
    }

    /** Sends {@code count} requests, 8 at a time (the bench's own client is not what is measured). */
    static void parallel(int count, Request request, Answer answer) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                done.add(pool.submit(() -> {
                    answer.take(index, request.send(index));
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    static long scalar(String jdbc, String user, String password, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, user, password); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Launches scheduled a day ahead (nothing is sent), then cancelled: p50 and p99 of the POST, one at a time,
     * over 1,000 requests (so the p99 is the 10th slowest, not one outlier) after 200 that warm the JIT up.
     */
    /** A scheduled launch of the list (tomorrow: it sends nothing), its acceptance time in ms; its ID into ids. */
    static double acceptOne(long actionId, long list, long launchUser, List<Long> ids) throws Exception {
        String at = OffsetDateTime.now().plusDays(1).toString();
        long t0 = System.nanoTime();
        String r = post("/api/v1/launches", "{\"bulkActionId\":" + actionId + ",\"listIds\":[" + list + "],\"scheduledAt\":\"" + at
                + "\",\"launchedByUserId\":" + launchUser + "}", 202);
        double ms = (System.nanoTime() - t0) / 1e6;
        ids.add(number(r, "id"));
        return ms;
    }

    /** 200 launches that warm the JIT and the connection pools, their IDs into ids (to be cancelled). */
    static void warmUp(long actionId, long list, long launchUser, List<Long> ids) throws Exception {
        for (int i = 0; i < 200; i++) {
            acceptOne(actionId, list, launchUser, ids);
        }
    }

    static void cancel(List<Long> launchIds) throws Exception {
        for (long id : launchIds) {
            post("/api/v1/launches/" + id + "/cancel", "", 200);
        }
    }

    /** p50 and p99 of the times. */
    static double[] p50p99(double[] times) {
        double[] t = times.clone();
        Arrays.sort(t);
        return new double[] {t[t.length / 2], t[(int) Math.ceil(t.length * 0.99) - 1]};
    }

    /** An ERP launching while the campaign sends: a launch every 1/PER_SECOND s, each one's acceptance time recorded. */
    static final class DuringCampaign extends Thread {
        static final int PER_SECOND = 5;
        private final long actionId, list, launchUser;
        private final List<Double> times = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Long> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile boolean stop;
        private volatile Exception failure;

        DuringCampaign(long actionId, long list, long launchUser) {
            this.actionId = actionId;
            this.list = list;
            this.launchUser = launchUser;
            setDaemon(true);
        }

        @Override
        public void run() {
            long next = System.nanoTime();
            try {
                while (!stop) {
                    times.add(acceptOne(actionId, list, launchUser, ids));
                    next += 1_000_000_000L / PER_SECOND;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        /** Stops it, cancels its launches; p50, p99 and how many. */
        double[] finish() throws Exception {
            stop = true;
            join();
            if (failure != null) {
                throw failure;
            }
            cancel(ids);
            if (times.isEmpty()) {
                return new double[] {0, 0, 0};
            }
            double[] p = p50p99(times.stream().mapToDouble(Double::doubleValue).toArray());
            return new double[] {p[0], p[1], times.size()};
        }
    }

    static double[] acceptance(long actionId, long list, long launchUser) throws Exception {
        List<Long> ids = new ArrayList<>();
        warmUp(actionId, list, launchUser, ids);
        double[] t = new double[1_000];
        for (int i = 0; i < t.length; i++) {
            t[i] = acceptOne(actionId, list, launchUser, ids);
        }
        cancel(ids);
        return p50p99(t);
    }

    static long importedList(String name, String prefix, int n) throws Exception {
        long list = number(post("/api/v1/lists", "{\"name\":\"" + name + "\"}", 201), "id");
        Path csv = Files.createTempFile("bench", ".csv");
        StringBuilder sb = new StringBuilder("email,firstName,lastName,custom.city\n");
        String run = Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < n; i++) {
            sb.append(prefix).append(i).append('.').append(run).append("@bench.example.cz,Jana").append(i % 100).append(",Nováková,Brno\n");
            if (sb.length() > 1 << 20) {
                Files.writeString(csv, sb, java.nio.file.StandardOpenOption.APPEND);
                sb.setLength(0);
            }
        }
        Files.writeString(csv, sb, java.nio.file.StandardOpenOption.APPEND);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/contacts/import?listId=" + list)).header("Authorization", BEARER)
                .header("Content-Type", "text/csv").timeout(Duration.ofMinutes(10)).POST(HttpRequest.BodyPublishers.ofFile(csv)).build(),
                HttpResponse.BodyHandlers.ofString());
        Files.delete(csv);
        check(r, 200);
        return list;
    }

    static void upload(String path, String filename, byte[] content) throws Exception {
        String boundary = "b" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/pdf\r\n\r\n").getBytes();
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes();
        byte[] all = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        System.arraycopy(tail, 0, all, head.length + content.length, tail.length);
        check(HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", BEARER).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(all)).build(), HttpResponse.BodyHandlers.ofString()), 201);
    }

    static String get(String path) throws Exception {
        return check(HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", BEARER).build(), HttpResponse.BodyHandlers.ofString()), 200).body();
    }

    static String post(String path, String json, int expected) throws Exception {
        return check(HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", BEARER).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()), expected).body();
    }

    static HttpResponse<String> check(HttpResponse<String> r, int... expected) {
        if (Arrays.stream(expected).noneMatch(e -> e == r.statusCode())) {
            throw new IllegalStateException(r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    static long number(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** Bytes of WAL the server has written so far. */
    static double walBytes(String jdbc, String user, String password) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, user, password);
             ResultSet rs = c.createStatement().executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    /** User and system CPU time a process has used so far (/proc/PID/stat, in clock ticks of 1/100 s). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime: fields 14 and 15
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The CPU time of every PostgreSQL process on the machine (its backends come and go; the live ones are counted). */
    static double postgresCpuSeconds() {
        double total = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readString(p.resolve("stat")).contains("(postgres)")) {
                        total += cpuSeconds(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return total;
    }

    /** Peak resident set size of a process (the kernel's VmHWM), sampled. */
    static final class Rss extends Thread {
        final long pid;
        final AtomicLong peak = new AtomicLong();

        Rss(long pid) {
            this.pid = pid;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                peak.accumulateAndGet(read(), Math::max);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long peakKb() {
            return Math.max(peak.get(), read());
        }

        long read() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (Exception e) {
                return 0;
            }
            return 0;
        }
    }

    /**
     * The delivery events of the launch (one per recipient when on, none when off) and how long after the last delivery
     * the last of them left the outbox for Kafka; returns their number.
     */
    static long events(String jdbc, String user, String password, long launchId) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, user, password)) {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM outbox WHERE event_id IS NOT NULL")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(50);
            }
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT (SELECT count(*) FROM event WHERE type IN ('org.crmbulk.delivery.sent.v1', 'org.crmbulk.delivery.failed.v1')
                              AND (data ->> 'launchId')::bigint = %d),
                           extract(epoch FROM clock_timestamp() - (SELECT max(sent_at) FROM delivery WHERE launch_id = %d)),
                           (SELECT count(*) FROM outbox WHERE event_id IS NOT NULL)""".formatted(launchId, launchId))) {
                rs.next();
                long events = rs.getLong(1);
                System.out.printf("  events: %,d delivery events; the last left for Kafka %.1f s after the last delivery (%,d still waiting)%n",
                        events, rs.getDouble(2), rs.getLong(3));
                return events;
            }
        }
    }

    /** Subscribes the bench's receiver to the event types bench/campaign chose (CRM_BENCH_WEBHOOKS). */
    static long subscribe() throws Exception {
        HttpResponse<String> r = check(HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/webhooks")).header("Authorization", WEBHOOK_BEARER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"url\":" + quote(WEBHOOK_RECEIVER)
                        + ",\"eventTypes\":[" + Arrays.stream(WEBHOOK_TYPES.split(",")).map(CampaignBench::quote)
                        .collect(java.util.stream.Collectors.joining(",")) + "]}")).build(),
                HttpResponse.BodyHandlers.ofString()), 201);
        return number(r.body(), "id");
    }

    /**
     * Waits until every webhook of the subscription was delivered, prints how long after the last delivery the last one
     * arrived at the receiver; returns what is wrong (a delivery not DELIVERED, fewer received than delivered) or null.
     */
    static String webhooks(String jdbc, String user, String password, long launchId, long subscription) throws Exception {
        String sql = """
                SELECT count(*), count(*) FILTER (WHERE status = 'DELIVERED'), count(*) FILTER (WHERE status = 'DEAD'),
                       (SELECT extract(epoch FROM max(sent_at)) FROM delivery WHERE launch_id = %d)
                FROM webhook_delivery WHERE subscription_id = %d""".formatted(launchId, subscription);
        try (Connection c = DriverManager.getConnection(jdbc, user, password)) {
            long deadline = System.nanoTime() + 300_000_000_000L;
            long total = 0, delivered = 0, dead = 0;
            double lastDelivery = 0;
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                    rs.next();
                    total = rs.getLong(1);
                    delivered = rs.getLong(2);
                    dead = rs.getLong(3);
                    lastDelivery = rs.getDouble(4);
                }
                if (delivered + dead == total) {
                    break;
                }
                Thread.sleep(100);
            }
            String stats = HTTP.send(HttpRequest.newBuilder(URI.create(WEBHOOK_RECEIVER)).build(), HttpResponse.BodyHandlers.ofString()).body();
            long received = number(stats, "count");
            Matcher last = Pattern.compile("\"last\":\\s*([0-9.]+)").matcher(stats);
            double lastArrival = last.find() ? Double.parseDouble(last.group(1)) : 0;
            System.out.printf("  webhooks: %,d of %,d delivered (%,d dead), %,d received; the last arrived %.1f s after the last delivery%n",
                    delivered, total, dead, received, lastArrival - lastDelivery);
            return delivered == total && received >= delivered ? null
                    : "delivered " + delivered + " of " + total + ", dead " + dead + ", received " + received;
        }
    }
}
