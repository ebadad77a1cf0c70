package org.crmbulk.contract.activity;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The five mail tasks of a CRM activity. Their IDs are the keys of codebook OMAILUL and are used
 * verbatim by calling ERPs; the aliases are friendlier names for the same tasks.
 */
public enum MailTask {

    CC("orsoft.o.crm.Ohakt.posliMailNaVedomi", Set.of(Group.CC), "cc", "naVedomi"),
    CONTACT("orsoft.o.crm.Ohakt.posliMailKontaktu", Set.of(Group.CONTACT), "contact", "kontakt"),
    RESPONSIBLE("orsoft.o.crm.Ohakt.posliMailZodpovednym", Set.of(Group.RESPONSIBLE), "responsible", "zodpovedni"),
    PARTICIPANTS("orsoft.o.crm.Ohakt.posliMailUcastnikum", Set.of(Group.PARTICIPANT), "participants", "ucastnici"),
    PARTICIPANTS_AND_RESPONSIBLE("orsoft.o.crm.Ohakt.posliMailUcastnikumAZodpovednym",
            Set.of(Group.PARTICIPANT, Group.RESPONSIBLE), "participantsAndResponsible", "ucastniciAZodpovedni");

    /** The groups of people an activity has. */
    public enum Group {
        CONTACT, RESPONSIBLE, PARTICIPANT, CC
    }

    private final String id;
    private final Set<Group> groups;
    private final List<String> aliases;

    MailTask(String id, Set<Group> groups, String... aliases) {
        this.id = id;
        this.groups = groups;
        this.aliases = List.of(aliases);
    }

    public String id() {
        return id;
    }

    /** Whose addresses the task sends to. */
    public Set<Group> groups() {
        return groups;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(MailTask::id).toList();
    }

    /** By its ID or an alias (case-insensitive). */
    public static Optional<MailTask> find(String idOrAlias) {
        if (idOrAlias == null) {
            return Optional.empty();
        }
        String wanted = idOrAlias.trim();
        return Arrays.stream(values())
                .filter(t -> t.id.equals(wanted) || t.aliases.stream().anyMatch(a -> a.equalsIgnoreCase(wanted))
                        || t.name().equals(wanted.toUpperCase(Locale.ROOT)))
                .findFirst();
    }
}
