package org.crmbulk.worker.delivery;

import java.util.List;

import org.crmbulk.contract.mime.MailMessage;

/** What claimed deliveries become: a message for the relay, or an outcome decided without it. */
public sealed interface Letter {

    /** One message and the deliveries it carries (one, or a BULK mail job's whole chunk). */
    record Message(MailMessage mail, List<ClaimedDelivery> recipients) implements Letter {
    }

    /** Decided here: a deleted contact, an unrenderable template, an invalid address. */
    record Settled(Outcome outcome) implements Letter {
    }
}
