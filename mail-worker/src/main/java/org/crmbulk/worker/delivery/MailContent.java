package org.crmbulk.worker.delivery;

import java.util.List;
import java.util.Optional;

import org.crmbulk.contract.template.MessageTemplates;

/**
 * What a piece of work's messages are made from, loaded once when it starts and shared by every message:
 * a frozen bulk-action version rendered per recipient (launches, test sends), or an activity's fixed
 * message (mail jobs).
 */
public sealed interface MailContent permits TemplateContent, FixedContent {

    /** The sender's address: the Message-ID domain unless one is configured. */
    String from();

    /** Deliveries one message carries: 1, or up to the relay's limit for a BULK mail job. */
    int recipientsPerMessage();

    MailMetrics.Mode mode();

    /** The CRM activity each SENT delivery records; empty for work that records none. */
    Optional<ActivityRule> activity();

    /** The messages (or decided outcomes) for these claimed deliveries, each of a valid address. */
    List<Letter> letters(List<ClaimedDelivery> claimed, MessageTemplates.Limits limits);

    /** A done e-mail activity of this type and owner per SENT delivery, linked both ways. */
    record ActivityRule(String type, Long ownerUserId) {
    }
}
