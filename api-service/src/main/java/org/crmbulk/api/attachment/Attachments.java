package org.crmbulk.api.attachment;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

import org.crmbulk.api.problem.Problem;
import org.crmbulk.api.problem.ProblemException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.Response;

/**
 * Attachments stored once per owner (a bulk action or an activity) and referenced by every message,
 * with a limit on their total size per owner. Runs in the caller's transaction.
 */
@ApplicationScoped
public class Attachments {

    /** Where an owner's attachments live: the table and its owner column. */
    public enum Owner {
        BULK_ACTION("attachment", "bulk_action_id"),
        ACTIVITY("activity_attachment", "activity_id");

        final String table;
        final String column;

        Owner(String table, String column) {
            this.table = table;
            this.column = column;
        }
    }

    public record View(long id, String filename, String contentType, int sizeBytes, String sha256) {
    }

    public record Content(String filename, String contentType, byte[] bytes) {
    }

    @Inject
    EntityManager em;

    @ConfigProperty(name = "crm.attachments.max-total-bytes", defaultValue = "10485760")
    long maxTotalBytes;

    /** A multipart upload as the services take it: metadata now, bytes only once the size is known to fit. */
    public record Upload(String filename, String contentType, long size, Supplier<byte[]> read) {

        public static Upload of(org.jboss.resteasy.reactive.multipart.FileUpload file) {
            if (file == null) {
                throw ProblemException.badField("file", "a multipart part named file is required");
            }
            return new Upload(file.fileName(), file.contentType() == null ? "application/octet-stream" : file.contentType(),
                    file.size(), () -> {
                        try {
                            return java.nio.file.Files.readAllBytes(file.uploadedFile());
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
        }
    }

    public View add(Owner owner, long ownerId, Upload upload) {
        return add(owner, ownerId, upload.filename(), upload.contentType(), upload.size(), upload.read());
    }

    public View add(Owner owner, long ownerId, String filename, String contentType, long size, Supplier<byte[]> read) {
        if (filename == null || filename.isBlank() || filename.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || filename.length() > 255) {
            throw ProblemException.badField("file", "needs a file name of at most 255 characters without control characters");
        }
        long used = ((Number) em.createNativeQuery("SELECT coalesce(sum(size_bytes), 0) FROM " + owner.table + " WHERE " + owner.column + " = ?1")
                .setParameter(1, ownerId).getSingleResult()).longValue();
        if (used + size > maxTotalBytes) {
            throw new ProblemException(Problem.of(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "attachments may total at most " + maxTotalBytes + " bytes; this one has " + size + " and " + used
                            + " are already used",
                    List.of(new Problem.FieldError("file", "over the limit of " + maxTotalBytes + " bytes in total"))));
        }
        byte[] content = read.get();
        String sha256 = sha256(content);
        Number id = (Number) em.createNativeQuery("INSERT INTO " + owner.table + " (" + owner.column
                + ", filename, content_type, size_bytes, sha256, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id")
                .setParameter(1, ownerId).setParameter(2, filename).setParameter(3, contentType).setParameter(4, content.length)
                .setParameter(5, sha256).setParameter(6, content).getSingleResult();
        return new View(id.longValue(), filename, contentType, content.length, sha256);
    }

    public boolean delete(Owner owner, long ownerId, long attachmentId) {
        return em.createNativeQuery("DELETE FROM " + owner.table + " WHERE id = ?1 AND " + owner.column + " = ?2")
                .setParameter(1, attachmentId).setParameter(2, ownerId).executeUpdate() > 0;
    }

    public List<View> list(Owner owner, long ownerId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT id, filename, content_type, size_bytes, sha256 FROM " + owner.table
                + " WHERE " + owner.column + " = ?1 ORDER BY id").setParameter(1, ownerId).getResultList();
        return rows.stream().map(r -> new View(((Number) r[0]).longValue(), (String) r[1], (String) r[2],
                ((Number) r[3]).intValue(), (String) r[4])).toList();
    }

    public List<Content> contents(Owner owner, long ownerId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT filename, content_type, content FROM " + owner.table
                + " WHERE " + owner.column + " = ?1 ORDER BY id").setParameter(1, ownerId).getResultList();
        return rows.stream().map(r -> new Content((String) r[0], (String) r[1], (byte[]) r[2])).toList();
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
