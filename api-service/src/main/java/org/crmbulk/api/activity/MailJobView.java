package org.crmbulk.api.activity;

import java.time.OffsetDateTime;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of an activity's mail log: a mail task run, its mode, who ran it (the caller's identity from
 * the bearer token, and the free-text label they gave), and each recipient's result. A CLIENT-mode entry
 * carries the draft handed out instead of a send.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MailJobView(long id, long activityId, String taskId, String mode, String status, String subject,
        String requestedBy, String label, OffsetDateTime createdAt, OffsetDateTime finishedAt, List<Recipient> recipients, Draft draft) {

    public record Recipient(String email, String name, String kind, String status, int attempts, String reply,
            String messageId, boolean possibleDuplicate, OffsetDateTime sentAt, String bounce, String bounceDiagnostic,
            OffsetDateTime complainedAt) {
    }

    /**
     * For the user's desktop mail client: mailto: URIs (RFC 6068; several when one would be too long
     * for clients, split by recipients; subject or body shortened, on character boundaries, when even one
     * recipient would not fit) and the .eml draft, which is always complete.
     */
    public record Draft(List<String> mailto, boolean split, boolean subjectShortened, boolean bodyShortened, String eml) {
    }
}
