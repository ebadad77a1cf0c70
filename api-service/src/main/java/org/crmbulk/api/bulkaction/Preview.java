package org.crmbulk.api.bulkaction;

/** A bulk action rendered for one contact, exactly as the worker would send it. */
public record Preview(String subject, String text, String html) {

    public record Request(Long contactId) {
    }
}
