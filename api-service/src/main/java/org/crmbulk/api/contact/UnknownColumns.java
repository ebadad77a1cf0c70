package org.crmbulk.api.contact;

/** What a CSV import does with a column it does not know. */
public enum UnknownColumns {
    /** Refuse the file, naming the columns (the default: a typo must not silently drop data). */
    reject,
    /** Leave the column out. */
    ignore,
    /** Keep it as a custom field of that name. */
    custom
}
