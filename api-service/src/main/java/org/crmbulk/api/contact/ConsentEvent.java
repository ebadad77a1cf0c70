package org.crmbulk.api.contact;

import java.time.OffsetDateTime;

/** An opt-out or an explicit re-consent of a contact: what, from where, by whom, when. */
public record ConsentEvent(String action, String source, String actor, OffsetDateTime at) {
}
