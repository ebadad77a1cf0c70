package org.crmbulk.worker.launch;

import java.util.List;

import org.crmbulk.contract.mime.MimeBodies;

/**
 * What every message of a launch is made from: templates, sender, the attachments (loaded once per
 * launch, shared by every message), and whether each SENT delivery records a CRM activity.
 */
public record LaunchContent(long launchId, String from, String replyTo, String subjectTemplate, String textTemplate,
        String htmlTemplate, List<MimeBodies.Attachment> attachments, boolean createActivity, String activityType,
        Long activityOwnerUserId) {
}
