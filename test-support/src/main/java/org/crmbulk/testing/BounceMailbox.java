package org.crmbulk.testing;

import java.util.List;

/** The bounce mailbox of the test stack (GreenMail IMAP): reports put into it, and what the poller left in each folder. */
public final class BounceMailbox {

    private static volatile TestImap imap;

    private BounceMailbox() {
    }

    static void attach(TestImap server) {
        imap = server;
    }

    public static void deliver(byte[] raw) {
        server().deliver(raw);
    }

    public static List<TestImap.Stored> folder(String name) {
        return server().folder(name);
    }

    public static void purge() {
        server().purge();
    }

    private static TestImap server() {
        if (imap == null) {
            throw new IllegalStateException("no test IMAP server runs: register CrmStackResource");
        }
        return imap;
    }
}
