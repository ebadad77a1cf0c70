package org.crmbulk.worker.work;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.LaunchStatus;
import org.crmbulk.contract.status.Lifecycle;
import org.crmbulk.contract.status.MailJobStatus;
import org.crmbulk.contract.status.TestSendStatus;
import org.crmbulk.contract.status.WorkStatus;
import org.crmbulk.worker.delivery.ClaimedDelivery;
import org.crmbulk.worker.delivery.DeliveryStore;
import org.crmbulk.worker.delivery.MailContent;
import org.crmbulk.worker.delivery.MessageIds;
import org.crmbulk.worker.delivery.Outcome;

/**
 * Both store ports in memory, with the PostgreSQL store's rules (guarded status changes through the status
 * enums, owner-guarded claims and records, leases), so the state machines run in milliseconds. An outage
 * makes every call fail as a lost connection does.
 */
public final class InMemoryStore implements WorkStore, DeliveryStore {

    /** One piece of work: its status (one of the contract's status enums), lease and a launch's counters. */
    public static final class Work {
        public Lifecycle<?> status;
        public final MailContent content;
        public final Instant createdAt = Instant.now();
        public String leaseOwner;
        public Instant leaseUntil;
        public String pauseReason;
        public int sent;
        public int failed;
        public int skipped;
        public int possibleDuplicates;

        Work(Lifecycle<?> status, MailContent content) {
            this.status = status;
            this.content = content;
        }
    }

    /** One delivery row. */
    public static final class Row {
        public final long id;
        public final WorkRef work;
        public final String email;
        public final boolean cc;
        public DeliveryStatus status = DeliveryStatus.PENDING;
        public int attempts;
        public Instant nextAttemptAt = Instant.now();
        public Instant firstAttemptAt;
        public String claimedBy;
        public Instant claimedUntil;
        public String messageId;
        public String lastReply;
        public boolean possibleDuplicate;
        public Map<String, Object> contact;

        Row(long id, WorkRef work, String email, boolean cc, Map<String, Object> contact) {
            this.id = id;
            this.work = work;
            this.email = email;
            this.cc = cc;
            this.contact = contact;
        }
    }

    /** As the PostgreSQL store: another claim in flight is looked at again this soon, not only when it runs out. */
    private static final Duration CLAIM_RECHECK = Duration.ofSeconds(1);

    private final Map<WorkRef, Work> works = new LinkedHashMap<>();
    private final Map<Long, Row> rows = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean outage;
    private final AtomicInteger failRecords = new AtomicInteger();
    public final AtomicInteger records = new AtomicInteger();

    public synchronized WorkRef add(SendJobV1.Kind kind, long id, MailContent content, String... emails) {
        WorkRef ref = new WorkRef(kind, id);
        Lifecycle<?> queued = switch (kind) {
            case LAUNCH -> LaunchStatus.QUEUED;
            case ACTIVITY_MAIL -> MailJobStatus.QUEUED;
            case TEST_SEND -> TestSendStatus.QUEUED;
        };
        works.put(ref, new Work(queued, content));
        for (String email : emails) {
            boolean cc = email.startsWith("cc:");
            String address = cc ? email.substring(3) : email;
            long rowId = ids.incrementAndGet();
            rows.put(rowId, new Row(rowId, ref, address, cc, Map.of("email", address, "firstName", address.substring(0, address.indexOf('@')))));
        }
        return ref;
    }

    public synchronized Work work(WorkRef ref) {
        return works.get(ref);
    }

    public synchronized List<Row> rows(WorkRef ref) {
        return rows.values().stream().filter(r -> r.work.equals(ref)).toList();
    }

    /** The database goes away (every call fails as a lost connection does) or comes back. */
    public void outage(boolean away) {
        outage = away;
    }

    /** The next {@code n} records fail as if the connection dropped, then the store answers again. */
    public void failNextRecords(int n) {
        failRecords.set(n);
    }

    /** What a person does through api-service: pause, resume, cancel. */
    public synchronized void userPause(WorkRef ref) {
        Work w = works.get(ref);
        w.status = ((LaunchStatus) w.status).become(LaunchStatus.PAUSED);
    }

    public synchronized void userResume(WorkRef ref) {
        Work w = works.get(ref);
        w.status = ((LaunchStatus) w.status).become(LaunchStatus.RUNNING);
        w.pauseReason = null;
    }

    private void answer() {
        if (outage) {
            throw new StoreException("connection refused", new java.net.ConnectException("refused"), true);
        }
    }

    @Override
    public synchronized boolean acquire(WorkRef ref, String owner, Duration lease) {
        answer();
        Work w = works.get(ref);
        if (w == null || !isOpen(w.status)) {
            return false;
        }
        Instant now = Instant.now();
        if (owner.equals(w.leaseOwner) || w.leaseUntil == null || w.leaseUntil.isBefore(now)) {
            w.leaseOwner = owner;
            w.leaseUntil = now.plus(lease);
            return true;
        }
        return false;
    }

    @Override
    public synchronized Set<WorkRef> renew(Collection<WorkRef> held, Collection<WorkRef> helped, String owner, Duration lease,
            Duration claimLease) {
        answer();
        Set<WorkRef> renewed = new HashSet<>();
        for (WorkRef ref : held) {
            Work w = works.get(ref);
            if (w != null && owner.equals(w.leaseOwner)) {
                w.leaseUntil = Instant.now().plus(lease);
                renewed.add(ref);
            }
        }
        for (WorkRef ref : java.util.stream.Stream.concat(held.stream(), helped.stream()).distinct().toList()) {
            rows(ref).stream().filter(r -> r.status == DeliveryStatus.SENDING && owner.equals(r.claimedBy))
                    .forEach(r -> r.claimedUntil = Instant.now().plus(claimLease));
        }
        return renewed;
    }

    @Override
    public synchronized void release(WorkRef ref, String owner, Optional<Instant> wakeAt) {
        answer();
        Work w = works.get(ref);
        if (w != null && owner.equals(w.leaseOwner)) {
            w.leaseOwner = null;
            w.leaseUntil = wakeAt.orElse(null);
        }
    }

    @Override
    public synchronized boolean handBack(WorkRef ref) {
        answer();
        Work w = works.get(ref);
        if (w == null || !isOpen(w.status) || w.leaseOwner != null || w.leaseUntil != null) {
            return false;
        }
        w.leaseUntil = Instant.now();
        return true;
    }

    /** A worker that died holding the lease: its lease runs out now. */
    public synchronized void lapse(WorkRef ref) {
        works.get(ref).leaseUntil = Instant.now().minusMillis(1);
    }

    @Override
    public synchronized List<WorkRef> wakeScheduled(int limit) {
        answer();
        return List.of();
    }

    @Override
    public synchronized List<WorkRef> unattended(SendJobV1.Kind kind, Duration queuedGrace, int limit) {
        answer();
        Instant now = Instant.now();
        return works.entrySet().stream().filter(e -> e.getKey().kind() == kind).filter(e -> isOpen(e.getValue().status))
                .filter(e -> {
                    Work w = e.getValue();
                    return w.leaseUntil != null ? w.leaseUntil.isBefore(now)
                            : isStarted(w.status) || w.createdAt.isBefore(now.minus(queuedGrace));
                }).map(Map.Entry::getKey).limit(limit).toList();
    }

    @Override
    public synchronized List<WorkRef> helpWanted(String owner, int minDue, int limit) {
        answer();
        Instant now = Instant.now();
        return works.entrySet().stream().filter(e -> e.getKey().kind() == SendJobV1.Kind.LAUNCH)
                .filter(e -> e.getValue().status == LaunchStatus.RUNNING && e.getValue().leaseOwner != null
                        && !owner.equals(e.getValue().leaseOwner) && e.getValue().leaseUntil.isAfter(now))
                .filter(e -> rows(e.getKey()).stream().filter(r -> r.status == DeliveryStatus.PENDING && !r.nextAttemptAt.isAfter(now))
                        .count() >= minDue)
                .map(Map.Entry::getKey).limit(limit).toList();
    }

    @Override
    public synchronized Optional<MailContent> content(WorkRef ref) {
        answer();
        Work w = works.get(ref);
        return w != null && isStarted(w.status) ? Optional.of(w.content) : Optional.empty();
    }

    @Override
    public synchronized Optional<MailContent> begin(WorkRef ref) {
        answer();
        Work w = works.get(ref);
        if (w == null) {
            return Optional.empty();
        }
        if (w.status == LaunchStatus.QUEUED) {
            w.status = LaunchStatus.QUEUED.become(LaunchStatus.RUNNING);
        } else if (w.status == MailJobStatus.QUEUED) {
            w.status = MailJobStatus.QUEUED.become(MailJobStatus.SENDING);
        } else if (w.status == TestSendStatus.QUEUED) {
            w.status = TestSendStatus.QUEUED.become(TestSendStatus.SENDING);
        }
        return Optional.of(w.content);
    }

    private boolean isSending(WorkRef ref) {
        return isStarted(works.get(ref).status);
    }

    @Override
    public synchronized List<ClaimedDelivery> claim(WorkRef ref, String owner, int limit, Duration claimLease, MessageIds messageIds) {
        answer();
        if (!isSending(ref)) {
            return List.of();
        }
        Instant now = Instant.now();
        List<ClaimedDelivery> claimed = new ArrayList<>();
        for (Row r : rows(ref)) {
            if (claimed.size() == limit) {
                break;
            }
            boolean due = r.status == DeliveryStatus.PENDING && !r.nextAttemptAt.isAfter(now);
            boolean lapsed = r.status == DeliveryStatus.SENDING && r.claimedUntil.isBefore(now);
            if (!due && !lapsed) {
                continue;
            }
            r.status = r.status.become(DeliveryStatus.SENDING);
            r.attempts++;
            r.claimedBy = owner;
            r.claimedUntil = now.plus(claimLease);
            r.firstAttemptAt = r.firstAttemptAt == null ? now : r.firstAttemptAt;
            r.possibleDuplicate |= lapsed;
            if (r.messageId == null) {
                r.messageId = messageIds.forDelivery(r.id);
            }
            if (lapsed && ref.kind() == SendJobV1.Kind.LAUNCH) {
                works.get(ref).possibleDuplicates++;
            }
            claimed.add(new ClaimedDelivery(r.id, r.email, null, r.cc, r.messageId, r.attempts, lapsed, r.contact, r.firstAttemptAt));
        }
        claimed.sort(Comparator.comparingLong(ClaimedDelivery::id));
        return claimed;
    }

    @Override
    public synchronized void record(WorkRef ref, MailContent content, String owner, List<Outcome> outcomes) {
        answer();
        if (failRecords.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new StoreException("connection lost", new java.net.SocketException("reset"), true);
        }
        records.incrementAndGet();
        Work w = works.get(ref);
        for (Outcome o : outcomes) {
            Row r = rows.get(o.deliveryId());
            if (r.status != DeliveryStatus.SENDING || !owner.equals(r.claimedBy)) {
                continue; // another worker's claim now
            }
            r.claimedBy = null;
            r.claimedUntil = null;
            r.lastReply = o.reply();
            r.messageId = o.messageId() != null ? o.messageId() : r.messageId;
            switch (o.kind()) {
                case SENT -> {
                    r.status = r.status.become(DeliveryStatus.SENT);
                    w.sent++;
                }
                case RETRY -> {
                    r.status = r.status.become(DeliveryStatus.PENDING);
                    r.nextAttemptAt = o.retryAt();
                    if (o.mayHaveArrived()) {
                        r.possibleDuplicate = true;
                        if (ref.kind() == SendJobV1.Kind.LAUNCH) {
                            w.possibleDuplicates++;
                        }
                    }
                }
                case FAILED -> {
                    r.status = r.status.become(DeliveryStatus.FAILED);
                    w.failed++;
                }
                case SKIPPED -> {
                    r.status = r.status.become(DeliveryStatus.SKIPPED);
                    w.skipped++;
                }
                case NOT_SENT -> {
                    r.status = r.status.become(DeliveryStatus.PENDING);
                    r.attempts--;
                }
            }
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    @Override
    public void expandRest(WorkRef ref) {
        // add() makes every delivery up front: nothing is left for later here.
    }

    @Override
    public synchronized Settlement settle(WorkRef ref) {
        answer();
        if (!isSending(ref)) {
            return new Settlement(true, false, Optional.empty(), false);
        }
        Optional<Instant> next = rows(ref).stream().filter(r -> r.status.isOpen())
                .map(r -> r.status == DeliveryStatus.PENDING ? r.nextAttemptAt : min(r.claimedUntil, Instant.now().plus(CLAIM_RECHECK)))
                .min(Comparator.naturalOrder());
        if (next.isPresent()) {
            return new Settlement(false, false, next, false);
        }
        Work w = works.get(ref);
        boolean failed = rows(ref).stream().anyMatch(r -> r.status == DeliveryStatus.FAILED);
        if (w.status instanceof LaunchStatus s) {
            w.status = s.become(failed ? LaunchStatus.COMPLETED_WITH_ERRORS : LaunchStatus.COMPLETED);
        } else if (w.status instanceof MailJobStatus s) {
            w.status = s.become(failed ? MailJobStatus.DONE_WITH_ERRORS : MailJobStatus.DONE);
        } else if (w.status instanceof TestSendStatus s) {
            w.status = s.become(TestSendStatus.DONE);
        }
        return new Settlement(false, true, Optional.empty(), false);
    }

    @Override
    public synchronized boolean pause(WorkRef ref, String reason) {
        answer();
        Work w = works.get(ref);
        if (!(w.status instanceof LaunchStatus s)) {
            return false;
        }
        if (s == LaunchStatus.RUNNING) {
            w.status = s.become(LaunchStatus.PAUSED);
            w.pauseReason = reason;
        }
        return true;
    }

    private static boolean isOpen(Lifecycle<?> s) {
        return ((WorkStatus) s).isOpen();
    }

    private static boolean isStarted(Lifecycle<?> s) {
        return ((WorkStatus) s).isStarted();
    }
}
