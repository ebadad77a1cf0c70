package org.crmbulk.api.bounce;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Optional;

import org.crmbulk.api.common.Times;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.CallerRateLimiter;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;

/**
 * The HTTP intake of returned mail: a report is stored as received (once: the SHA-256 of its bytes) and read by
 * mail-worker, which links and applies it as it does the bounce mailbox's. Rate-limited per caller on its own budget,
 * since a bounce storm is a burst of legitimate calls.
 */
@ApplicationScoped
public class InboundReports {

    @ConfigMapping(prefix = "crm.api.intake-rate")
    public interface Config {
        /** Reports one caller may hand in per minute, on average. */
        @WithDefault("600")
        int perMinute();

        @WithDefault("100")
        int burst();
    }

    @Inject
    EntityManager em;

    private final CallerRateLimiter limiter;

    @Inject
    public InboundReports(Config config) {
        this.limiter = new CallerRateLimiter(config.perMinute(), config.burst(), "reports handed in");
    }

    @Transactional
    public InboundReportView receive(byte[] message, String caller) {
        limiter.acquire(caller);
        requireMessage(message);
        long id = ((Number) em.createNativeQuery("SELECT receive_report('HTTP', ?1, ?2)").setParameter(1, message)
                .setParameter(2, caller).getSingleResult()).longValue();
        return find(id).orElseThrow();
    }

    /** An RFC 5322 message has a header section; a body without one (JSON, a bare text) is refused, not stored. */
    private static void requireMessage(byte[] message) {
        if (message == null || message.length == 0) {
            throw ProblemException.badField("body", "must be a message (RFC 5322); it is empty");
        }
        try {
            InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(message));
            if (headers.getHeader("From") == null && headers.getHeader("Content-Type") == null) {
                throw ProblemException.badField("body", "must be a message (RFC 5322) with its header fields (From, Content-Type)");
            }
        } catch (MessagingException e) {
            throw ProblemException.badField("body", "must be a message (RFC 5322): " + e.getMessage());
        }
    }

    public Optional<InboundReportView> find(long id) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT id, source, received_at, processed_at, kind, format FROM inbound_report WHERE id = ?1""", Tuple.class)
                .setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Tuple r = rows.get(0);
        @SuppressWarnings("unchecked")
        List<Tuple> bounces = em.createNativeQuery("""
                SELECT delivery_id, address, class, status, diagnostic FROM bounce WHERE report_id = ?1 ORDER BY id""", Tuple.class)
                .setParameter(1, id).getResultList();
        return Optional.of(new InboundReportView(id, r.get("source", String.class), Times.offset(r.get("received_at")),
                Times.offset(r.get("processed_at")), r.get("kind", String.class), r.get("format", String.class),
                bounces.stream().map(b -> new InboundReportView.Recipient(b.get("delivery_id") == null ? null
                        : b.get("delivery_id", Number.class).longValue(), b.get("address", String.class), b.get("class", String.class),
                        b.get("status", String.class), b.get("diagnostic", String.class))).toList()));
    }
}
