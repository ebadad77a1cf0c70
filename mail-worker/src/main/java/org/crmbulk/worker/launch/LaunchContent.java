package org.crmbulk.worker.launch;

import java.util.List;

import org.crmbulk.contract.mime.MimeBodies;

/**
 * What every message of a launch is made from: the content version the launch froze at acceptance
 * (sender, templates, the attachments, loaded once per launch and shared by every message), and
 * whether each SENT delivery records a CRM activity.
 */
public record LaunchContent(long launchId, long versionId, String from, String fromName, String replyTo,
        String subjectTemplate, String textTemplate, String htmlTemplate, List<MimeBodies.Attachment> attachments,
        boolean createActivity, String activityType, Long activityOwnerUserId) {
}
