package org.crmbulk.api.security;

/**
 * The roles a caller's token carries (its {@code groups} claim). {@link #CAMPAIGN_MANAGER},
 * {@link #CODEBOOK_ADMIN} and {@link #PRIVACY_OFFICER} include {@link #READER} (quarkus.http.auth.roles-mapping).
 */
public final class Roles {

    /** Reads everything: contacts, lists, bulk actions, launches and their deliveries, activities, codebooks. */
    public static final String READER = "crm-reader";
    /** Changes contacts, users, lists, bulk actions, launches and activities, and sends their mail. */
    public static final String CAMPAIGN_MANAGER = "campaign-manager";
    /** Changes codebook entries. */
    public static final String CODEBOOK_ADMIN = "codebook-admin";
    /** Erases a person (GDPR Art. 17) and reads the erasures' audit; reads the rest to find whom. */
    public static final String PRIVACY_OFFICER = "privacy-officer";
    /** Hands in returned mail (bounces, complaints): the token of an MTA piping its bounce domain's mail; reads nothing. */
    public static final String MAIL_INTAKE = "mail-intake";
    /** Manages webhook subscriptions, reads their delivery logs and replays them; reads nothing else. */
    public static final String WEBHOOK_ADMIN = "webhook-admin";

    private Roles() {
    }
}
