package org.crmbulk.worker.launch;

/** What every message of a launch is made from. */
public record LaunchContent(long launchId, String from, String subjectTemplate, String textTemplate) {
}
